//! `ehr slot` and `ehr appointment`: doctors publish free times; patients book (optionally
//! sharing records until after the visit); either side confirms, moves, cancels, completes.

use std::path::PathBuf;

use clap::Subcommand;
use ehr_client::{human, human::Names, AppointmentAction, Client, Error, Keys};
use ehr_primitives::{RecordCategory, VisitKind};
use serde_json::json;
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	care,
	cli::{Category, Global},
	session::account,
	ui::{done, or_none, say, warn},
};

#[derive(Subcommand)]
pub enum SlotCommand {
	/// Publish a slot patients can book.
	///
	/// Example: ehr --key-file dr.json slot publish --at "2026-12-01 09:30" --minutes 20
	Publish {
		/// When it starts, in local time: YYYY-MM-DD HH:MM.
		#[arg(long, value_name = "DATE TIME", required_unless_present = "in_minutes")]
		at: Option<String>,
		/// Or: minutes from now until it starts.
		#[arg(long, value_name = "MINUTES", conflicts_with = "at")]
		in_minutes: Option<u64>,
		/// How long the visit lasts.
		#[arg(long, default_value_t = 30)]
		minutes: u32,
		/// A video visit (default: in person).
		#[arg(long)]
		video: bool,
	},
	/// A doctor's free slots in the coming days.
	Free {
		/// The doctor (SS58 address; `ehr doctor list` shows them).
		doctor: String,
		/// How many days ahead.
		#[arg(long, default_value_t = 14)]
		days: u64,
	},
}

#[derive(Subcommand)]
pub enum AppointmentCommand {
	/// Book a free slot (`ehr slot free <doctor>` lists them).
	///
	/// With --share, the booking carries consent: the doctor may read your records of those
	/// categories from now until --share-hours-after hours after the visit ends (keys shared in
	/// the same transaction as the grant; the grant, its keys and its end are in your trail). By
	/// default nothing is shared.
	///
	/// Example: ehr --key-file me.json appointment book 12 --share observation,lab-report
	Book {
		/// The slot's id.
		slot: u64,
		/// Let the doctor read these categories of your records (comma-separated).
		#[arg(long, value_delimiter = ',', value_enum, value_name = "CATEGORIES")]
		share: Vec<Category>,
		/// How long after the visit the doctor keeps access.
		#[arg(long, default_value_t = 72, value_name = "HOURS", requires = "share")]
		share_hours_after: u64,
	},
	/// Confirm a requested appointment (doctor).
	Confirm {
		/// The appointment's id (`ehr appointment list`).
		id: u64,
	},
	/// Propose another of your free slots (doctor); the patient answers.
	Reschedule {
		/// The appointment's id.
		id: u64,
		/// The new slot's id.
		slot: u64,
	},
	/// Accept or decline the new time a doctor proposed (patient).
	Answer {
		/// The appointment's id.
		id: u64,
		/// Accept the new time.
		#[arg(long, conflicts_with = "decline", required_unless_present = "decline")]
		accept: bool,
		/// Keep the old time.
		#[arg(long)]
		decline: bool,
	},
	/// Cancel (patient or doctor).
	Cancel {
		/// The appointment's id.
		id: u64,
	},
	/// Mark done, once it started (doctor).
	Complete {
		/// The appointment's id.
		id: u64,
	},
	/// Mark that the patient did not come (doctor).
	NoShow {
		/// The appointment's id.
		id: u64,
	},
	/// Your appointments: a patient's all, a doctor's open ones.
	List,
}

/// Runs `ehr slot …` as the doctor `me` (or anyone, for free slots).
pub async fn run_slot(
	client: &Client,
	me: &Keys,
	command: SlotCommand,
	json: bool,
) -> Result<(), Error> {
	match command {
		SlotCommand::Publish { at, in_minutes, minutes, video } => {
			let start = match (at, in_minutes) {
				(Some(at), _) => human::parse_local_time(&at)?,
				(None, Some(in_minutes)) => {
					let ms = in_minutes
						.checked_mul(60_000)
						.ok_or_else(|| Error::Usage("--in-minutes is too large".into()))?;
					client.chain.now().await?.saturating_add(ms)
				}
				(None, None) => {
					return Err(Error::Usage(
						"say when: --at \"YYYY-MM-DD HH:MM\" or --in-minutes N".into(),
					))
				}
			};
			let kind = if video { VisitKind::Video } else { VisitKind::InPerson };
			let slot = client.publish_slot(me, start, minutes, kind).await?;
			say(
				json,
				json!({ "slot": slot, "start": start, "durationMinutes": minutes, "kind": kind }),
				format!(
					"slot {slot} published: {}, {}, {}",
					human::time(start),
					human::duration(minutes.into()),
					human::visit(kind)
				),
			);
		}
		SlotCommand::Free { doctor, days } => {
			let doctor = account(&doctor)?;
			let now = client.chain.now().await?;
			let window = days
				.checked_mul(86_400_000)
				.ok_or_else(|| Error::Usage("--days is too large".into()))?;
			let slots = client.free_slots(&doctor, now, now.saturating_add(window)).await?;
			let text = slots
				.iter()
				.map(|s| {
					format!(
						"slot {}: {} ({}), {}, {}",
						s.id,
						human::time(s.start),
						human::relative(s.start, now),
						human::duration(s.duration_minutes.into()),
						human::visit(s.kind)
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			say(
				json,
				json!(slots),
				or_none(text, &format!("no free slots in the next {days} days")),
			);
		}
	}
	Ok(())
}

/// Runs `ehr appointment …` as the patient or the doctor `me`.
pub async fn run(
	client: &Client,
	me: &Keys,
	command: AppointmentCommand,
	global: &Global,
) -> Result<(), Error> {
	let json = global.json;
	let my_id = me.account_id();
	// The grants bookings carried, by appointment: a cancellation revokes its booking's grant.
	let grants_file = care::state_file(client, &my_id, "booking-grants", global);
	let action = match command {
		AppointmentCommand::Book { slot, share, share_hours_after } => {
			let categories: Vec<RecordCategory> = share.into_iter().map(Into::into).collect();
			let booked = client.book_sharing(me, slot, &categories, share_hours_after).await?;
			if let (Some(doctor), Some(ends)) = (&booked.doctor, booked.grant_ends) {
				// The booking and its grant are done: a note that cannot be kept is a warning.
				let mut grants: BookingGrants = care::load(grants_file.as_ref());
				grants.insert(booked.appointment, (doctor.clone(), ends));
				if grants_file.is_none() || care::save(grants_file.as_ref(), &grants).is_err() {
					warn(
						json,
						"the booking's grant could not be noted on this machine (no state \
						 directory): cancelling will not revoke it by itself (`ehr consent revoke`)"
							.into(),
					);
				}
			}
			let shared = match booked.grant_ends {
				Some(ends) => format!(
					"; the doctor may read your {} until {} ({} record key(s) shared)",
					categories.iter().map(|c| human::category(*c)).collect::<Vec<_>>().join(", "),
					human::time(ends),
					booked.shared
				),
				None => String::new(),
			};
			say(
				json,
				json!(booked),
				format!(
					"appointment {} requested: the doctor confirms or proposes another time (`ehr appointment list`){shared}",
					booked.appointment
				),
			);
			return Ok(());
		}
		AppointmentCommand::List => {
			let names = Names::load(client, Some(&my_id)).await?;
			// A doctor (in the directory) sees their open appointments; anyone else theirs as
			// a patient.
			let is_doctor = names.is_doctor(&my_id);
			let list = if is_doctor {
				client.doctor_appointments(&my_id).await?
			} else {
				let mine = client.appointments(&my_id).await?;
				// A booking's grant goes when the doctor cancelled too.
				sweep_booking_grants(client, me, &mine, grants_file.as_ref(), json).await?;
				mine
			};
			let now = client.chain.now().await?;
			let mut lines = Vec::new();
			for a in &list {
				let other = if is_doctor {
					format!("patient {}", a.patient.to_ss58check())
				} else {
					names.of(&a.doctor)
				};
				let mut line = format!(
					"appointment {}: {} ({}), {}, {}, with {other}: {}",
					a.id,
					human::time(a.start),
					human::relative(a.start, now),
					human::duration(a.duration_minutes.into()),
					human::visit(a.kind),
					human::status(a.status)
				);
				if let (Some(proposed), false) = (a.proposed_slot, a.status.is_final()) {
					let when = match client.slot(&a.doctor, proposed).await? {
						Some(slot) => human::time(slot.start),
						None => format!("slot {proposed}"),
					};
					if is_doctor {
						line.push_str(&format!("; you proposed {when}, waiting for the patient"));
					} else {
						line.push_str(&format!(
							"\n    the doctor proposes to move it to {when}: answer with `ehr \
							 appointment answer {} --accept` (or --decline)",
							a.id
						));
					}
				}
				if let Some(visit) = &a.visit {
					line.push_str(&match visit.minutes() {
						Some(minutes) => format!(
							"; video call at {}, {minutes} min",
							human::time(visit.started_at)
						),
						None => format!("; video call since {}", human::time(visit.started_at)),
					});
				}
				lines.push(line);
			}
			say(json, json!(list), or_none(lines.join("\n"), "no appointments"));
			return Ok(());
		}
		AppointmentCommand::Confirm { id } => AppointmentAction::Confirm(id),
		AppointmentCommand::Reschedule { id, slot } => AppointmentAction::Propose(id, slot),
		AppointmentCommand::Answer { id, accept, .. } => AppointmentAction::Answer(id, accept),
		AppointmentCommand::Cancel { id } => AppointmentAction::Cancel(id),
		AppointmentCommand::Complete { id } => AppointmentAction::Complete(id),
		AppointmentCommand::NoShow { id } => AppointmentAction::NoShow(id),
	};
	let what = match action {
		AppointmentAction::Confirm(id) => format!("appointment {id} confirmed"),
		AppointmentAction::Propose(id, slot) => {
			format!("appointment {id}: slot {slot} proposed; the patient answers")
		}
		AppointmentAction::Answer(id, true) => format!("appointment {id} moved to the new time"),
		AppointmentAction::Answer(id, false) => format!("appointment {id} stays at its time"),
		AppointmentAction::Cancel(id) => format!("appointment {id} cancelled"),
		AppointmentAction::Complete(id) => format!("appointment {id} marked done"),
		AppointmentAction::NoShow(id) => format!("appointment {id} marked missed"),
	};
	done(json, &what, &client.update_appointment(me, action).await?);
	if let AppointmentAction::Cancel(id) = action {
		revoke_booking_grant(client, me, id, grants_file.as_ref(), json).await?;
	}
	Ok(())
}

/// The grants bookings carried, by appointment: the doctor and the grant's end.
type BookingGrants = std::collections::BTreeMap<u64, (AccountId, u64)>;

/// After appointment `id` was cancelled (by the patient now, or by the doctor, noticed when the
/// patient lists the appointments): the grant its booking carried is revoked, if it is still
/// the booking's (same doctor, same end: not a grant made or changed since). A revocation that
/// fails is a warning, kept to try again; the cancellation stands.
async fn revoke_booking_grant(
	client: &Client,
	me: &Keys,
	id: u64,
	file: Option<&PathBuf>,
	json: bool,
) -> Result<(), Error> {
	let mut grants: BookingGrants = care::load(file);
	let Some((doctor, ends)) = grants.get(&id).cloned() else { return Ok(()) };
	let revoked = async {
		let current = client.grants(&me.account_id()).await?;
		if current.iter().any(|g| g.grantee == doctor && g.grant.expires_at == Some(ends)) {
			let included = client.revoke(me, &doctor).await?;
			// Said to people; with --json the command's one object stays the cancellation's
			// or the list's (`ehr consent list` shows the grant gone).
			if !json {
				done(json, "the consent the booking carried revoked", &included);
			}
		}
		Ok::<(), Error>(())
	}
	.await;
	match revoked {
		Ok(()) => {
			grants.remove(&id);
			let _ = care::save(file, &grants);
		}
		Err(error) => warn(
			json,
			format!(
				"the consent the booking of appointment {id} carried is not revoked yet ({error}): \
				 `ehr appointment list` tries again, or `ehr consent revoke`"
			),
		),
	}
	Ok(())
}

/// The booking grants of appointments that were cancelled (by either side) are revoked; those
/// past their end are forgotten.
async fn sweep_booking_grants(
	client: &Client,
	me: &Keys,
	appointments: &[ehr_client::AppointmentInfo],
	file: Option<&PathBuf>,
	json: bool,
) -> Result<(), Error> {
	let grants: BookingGrants = care::load(file);
	if grants.is_empty() {
		return Ok(());
	}
	let now = client.chain.now().await?;
	for (id, (_, ends)) in grants {
		let cancelled = appointments
			.iter()
			.any(|a| a.id == id && a.status == ehr_primitives::AppointmentStatus::Cancelled);
		if cancelled {
			revoke_booking_grant(client, me, id, file, json).await?;
		} else if now >= ends {
			let mut left: BookingGrants = care::load(file);
			left.remove(&id);
			let _ = care::save(file, &left);
		}
	}
	Ok(())
}
