//! `ehr hospital`: a hospital's administration: its doctors, invitations, name, custodian, and
//! the review of emergency accesses.

use clap::Subcommand;
use ehr_client::{human, human::Names, Client, Error, Keys};
use ehr_primitives::{Moment, Shift};
use serde_json::json;
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	doctor::doctor_line,
	emergency,
	session::account,
	ui::{done, or_none, say},
};

#[derive(Subcommand)]
pub enum HospitalCommand {
	/// Offer an account the role of a doctor of your hospital. It becomes your doctor, in the
	/// directory, when it accepts with `ehr doctor accept YOUR-HOSPITAL`; until then you may
	/// withdraw the offer with `ehr hospital cancel-invitation`.
	///
	/// Example: ehr --key-file hospital.json hospital register-doctor 5FHne… --name "Dr. Bob
	/// Kelso" --specialty "internal medicine" --licence MD-1001
	RegisterDoctor {
		/// The doctor's account (SS58 address; the doctor prints it with `ehr key show`).
		doctor: String,
		/// Full name, as patients will see it.
		#[arg(long)]
		name: String,
		/// Specialty, as patients will see it.
		#[arg(long)]
		specialty: String,
		/// Licence number.
		#[arg(long)]
		licence: String,
	},
	/// Suspend one of your doctors: no new consent, refused wherever consent is checked.
	SuspendDoctor {
		/// The doctor (SS58 address).
		doctor: String,
	},
	/// Reinstate one of your suspended doctors.
	ReinstateDoctor {
		/// The doctor (SS58 address).
		doctor: String,
	},
	/// Invite a patient: the account may then register and transact without tokens.
	InvitePatient {
		/// The patient's account (SS58 address; the patient prints it with `ehr key show`).
		patient: String,
	},
	/// Set the name your hospital appears under in the directory, the command and the web
	/// app (instead of its bare address).
	///
	/// Example: ehr --key-file hospital.json hospital set-name "North General Hospital"
	SetName {
		/// The hospital's name, as people will read it.
		name: String,
	},
	/// Withdraw an unused patient invitation, or a doctor's role offered and not yet accepted.
	CancelInvitation {
		/// The account invited or offered the role (SS58 address).
		account: String,
	},
	/// Name the account that runs your custodian service (`ehr custodian`): it releases your
	/// hospital's escrowed shares in emergencies and can do nothing else, so the service never
	/// holds your hospital's admin key. Naming another replaces it; `--none` goes back to
	/// releasing with the hospital's own account. The committee's escrow key for your hospital
	/// must be the custodian's key (`ehr --key-file custodian.json key show`), set by the
	/// hospitals' vote (`Escrow.set_committee`).
	///
	/// Example: ehr --key-file hospital.json hospital set-custodian 5DAAn…
	SetCustodian {
		/// The custodian account (SS58 address).
		#[arg(required_unless_present = "none")]
		custodian: Option<String>,
		/// Name no custodian: the hospital's own account releases again.
		#[arg(long, conflicts_with = "custodian")]
		none: bool,
	},
	/// Publish your hospital's roster of doctors on call. A patient who calls the hospital
	/// rather than a named doctor (the web app's "Call the doctor on call") rings every doctor
	/// on call then who is online, and the first to answer takes the call. Each shift is
	/// DOCTOR=FROM/UNTIL in local time (`YYYY-MM-DD HH:MM`, or with a `T`): a doctor of your
	/// hospital, at most 24 hours, starting within 31 days, one doctor's shifts not
	/// overlapping. The roster is replaced whole, unless --add keeps the shifts already
	/// published; shifts that have ended are dropped; --none empties it. At most 64 shifts.
	///
	/// Example: ehr --key-file hospital.json hospital set-on-call --shift "5FHne…=2026-12-08
	/// 08:00/2026-12-08 20:00" --shift "5DAAn…=2026-12-08 20:00/2026-12-09 08:00"
	SetOnCall {
		/// A shift: DOCTOR=FROM/UNTIL (the doctor's SS58 address, local times). Repeat it.
		#[arg(long = "shift", value_name = "DOCTOR=FROM/UNTIL", required_unless_present = "none")]
		shifts: Vec<String>,
		/// Keep the shifts already published and add these.
		#[arg(long, conflicts_with = "none")]
		add: bool,
		/// Nobody is on call: empty the roster.
		#[arg(long, conflicts_with = "shifts")]
		none: bool,
	},
	/// Who is on call when at a hospital (yours if none is named): each shift with its
	/// doctor's name, and who is on call now. Anyone may look.
	///
	/// Example: ehr --key-file me.json hospital on-call 5GrwvaEF…
	OnCall {
		/// The hospital (SS58 address; `ehr doctor list` shows each doctor's).
		hospital: Option<String>,
	},
	/// Your hospital's doctors.
	Doctors,
	/// The emergency accesses of your hospital's doctors (open, or expired and not yet cleaned
	/// up), with the records released to each doctor: review them, then close each with
	/// `ehr hospital close-emergency`.
	Emergencies {
		/// Every hospital's doctors' accesses, to review them (`ehr hospital review`).
		#[arg(long)]
		all: bool,
	},
	/// Review an emergency access of another hospital's doctor: your verdict goes on chain and
	/// into the patient's trail. Every member hospital other than the doctor's may review each
	/// access once; `ehr hospital emergencies --all` lists the open ones of every hospital.
	///
	/// Example: ehr --key-file hospital.json hospital review 5HGj… 5FHne… --verdict justified
	Review {
		/// The patient (SS58 address).
		patient: String,
		/// The other hospital's doctor (SS58 address).
		doctor: String,
		/// Your verdict.
		#[arg(long, value_enum)]
		verdict: Verdict,
		/// The patient's trail entry that opened the access (default: the doctor's newest).
		#[arg(long)]
		entry: Option<u64>,
	},
	/// Close a doctor's emergency access after review (its released shares leave the chain's
	/// state in the next block).
	CloseEmergency {
		/// The patient (SS58 address).
		patient: String,
		/// Your doctor (SS58 address).
		doctor: String,
	},
}

/// A hospital's verdict on another hospital's emergency access.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Verdict {
	/// Justified by the patient's condition.
	Justified,
	/// Cannot tell: the doctor's hospital is asked to explain.
	Questionable,
	/// Not justified: the consortium follows up.
	Unjustified,
}

impl From<Verdict> for ehr_primitives::ReviewVerdict {
	fn from(verdict: Verdict) -> Self {
		match verdict {
			Verdict::Justified => Self::Justified,
			Verdict::Questionable => Self::Questionable,
			Verdict::Unjustified => Self::Unjustified,
		}
	}
}

/// Runs `ehr hospital …` as the hospital `me`.
pub async fn run(
	client: &Client,
	me: &Keys,
	command: HospitalCommand,
	json: bool,
) -> Result<(), Error> {
	let my_id = me.account_id();
	match command {
		HospitalCommand::Doctors => {
			let doctors = client.doctors(Some(&my_id)).await?;
			let names = Names::load(client, Some(&my_id)).await?;
			let text =
				doctors.iter().map(|d| doctor_line(d, &names)).collect::<Vec<_>>().join("\n");
			say(
				json,
				json!(doctors),
				or_none(text, "your hospital has no doctors yet (`ehr hospital register-doctor`)"),
			);
		}
		HospitalCommand::Emergencies { all } => {
			emergency::hospital_emergencies(client, me, all, json).await?
		}
		HospitalCommand::OnCall { hospital } => {
			let hospital = hospital.as_deref().map(account).transpose()?.unwrap_or(my_id);
			show_roster(client, me, &hospital, json).await?
		}
		HospitalCommand::SetOnCall { shifts, add, .. } => {
			let mut roster = if add { client.roster(&my_id).await? } else { Vec::new() };
			for text in &shifts {
				roster.push(parse_shift(text)?);
			}
			let now = client.chain.now().await?;
			roster.retain(|shift| shift.until > now);
			check_roster(&roster, now)?;
			let included = client.set_on_call(me, roster.clone()).await?;
			let what = match roster.len() {
				0 => "nobody of your hospital is on call now (the roster is empty)".to_string(),
				n => format!(
					"your roster holds {n} shift{} (`ehr hospital on-call` shows it)",
					if n == 1 { "" } else { "s" }
				),
			};
			done(json, &what, &included);
		}
		command => {
			let (what, included) = match &command {
				HospitalCommand::RegisterDoctor { doctor, name, specialty, licence } => (
					format!(
						"{name} offered the role of a doctor of your hospital: the account \
						 accepts with `ehr doctor accept {}`",
						me.address()
					),
					client.register_doctor(me, &account(doctor)?, name, specialty, licence).await?,
				),
				HospitalCommand::Review { patient, doctor, verdict, entry } => {
					let (entry, included) = client
						.review_emergency_access(
							me,
							&account(patient)?,
							&account(doctor)?,
							*entry,
							(*verdict).into(),
						)
						.await?;
					(format!("review of trail entry {entry} recorded in the patient's trail"), included)
				}
				HospitalCommand::SetName { name } => (
					format!("your hospital is now listed as {}", human::printable(name)),
					client.set_hospital_name(me, name).await?,
				),
				HospitalCommand::CancelInvitation { account: who } => (
					format!("the invitation or offer of {who} is withdrawn"),
					client.cancel_invitation(me, &account(who)?).await?,
				),
				HospitalCommand::SetCustodian { custodian, .. } => {
					let custodian = custodian.as_deref().map(account).transpose()?;
					let what = match &custodian {
						Some(c) => format!(
							"{} now releases your hospital's escrowed shares (and your own \
							 account no longer does)",
							c.to_ss58check()
						),
						None => "your hospital's own account releases its escrowed shares again"
							.into(),
					};
					(what, client.set_custodian(me, custodian.as_ref()).await?)
				}
				HospitalCommand::SuspendDoctor { doctor } => {
					("doctor suspended".into(), client.suspend_doctor(me, &account(doctor)?).await?)
				}
				HospitalCommand::ReinstateDoctor { doctor } => {
					("doctor reinstated".into(), client.reinstate_doctor(me, &account(doctor)?).await?)
				}
				HospitalCommand::InvitePatient { patient } => (
					format!("{patient} invited: the account may now register with `ehr patient register`, without tokens"),
					client.invite_patient(me, &account(patient)?).await?,
				),
				HospitalCommand::CloseEmergency { patient, doctor } => (
					"emergency access closed after review (its released shares leave the chain's \
					 state in the next block)"
						.into(),
					client.close_emergency_access(me, &account(patient)?, &account(doctor)?).await?,
				),
				HospitalCommand::Doctors
				| HospitalCommand::Emergencies { .. }
				| HospitalCommand::OnCall { .. }
				| HospitalCommand::SetOnCall { .. } => {
					unreachable!("listed above")
				}
			};
			done(json, &what, &included);
		}
	}
	Ok(())
}

/// A shift written DOCTOR=FROM/UNTIL (local times).
pub fn parse_shift(text: &str) -> Result<Shift<AccountId>, Error> {
	let usage = || {
		Error::Usage(format!(
			"{text} is not a shift: write DOCTOR=FROM/UNTIL, e.g. \"5FHne…=2026-12-08 \
			 08:00/2026-12-08 20:00\" (the doctor's address, local times)"
		))
	};
	let (doctor, times) = text.split_once('=').ok_or_else(usage)?;
	let (from, until) = times.split_once('/').ok_or_else(usage)?;
	Ok(Shift {
		doctor: account(doctor)?,
		from: human::parse_local_time(from)?,
		until: human::parse_local_time(until)?,
	})
}

/// The chain's rules for a roster, checked before it is sent so that the error names the
/// shift (the chain checks them again).
pub fn check_roster(roster: &[Shift<AccountId>], now: Moment) -> Result<(), Error> {
	let max = ehr_primitives::MAX_ROSTER_AHEAD_MS;
	for shift in roster {
		let said = || {
			format!(
				"the shift of {} from {} until {}",
				shift.doctor.to_ss58check(),
				human::time(shift.from),
				human::time(shift.until)
			)
		};
		if shift.until <= shift.from {
			return Err(Error::Usage(format!("{} ends before it starts", said())));
		}
		if shift.until - shift.from > ehr_primitives::MAX_SHIFT_MS {
			return Err(Error::Usage(format!(
				"{} lasts more than 24 hours: split it in two shifts",
				said()
			)));
		}
		if shift.from > now.saturating_add(max) {
			return Err(Error::Usage(format!(
				"{} starts more than 31 days ahead: publish it later",
				said()
			)));
		}
	}
	for (i, shift) in roster.iter().enumerate() {
		if let Some(other) = roster[i + 1..].iter().find(|other| {
			other.doctor == shift.doctor && other.from < shift.until && shift.from < other.until
		}) {
			return Err(Error::Usage(format!(
				"two shifts of {} overlap ({} to {}, and {} to {}): one doctor, one shift at a \
				 time",
				shift.doctor.to_ss58check(),
				human::time(shift.from),
				human::time(shift.until),
				human::time(other.from),
				human::time(other.until)
			)));
		}
	}
	Ok(())
}

/// The chain's time, and the shifts of `hospital`'s roster that have not ended by then, by
/// start time.
pub async fn shifts_to_come(
	client: &Client,
	hospital: &AccountId,
) -> Result<(Moment, Vec<Shift<AccountId>>), Error> {
	let now = client.chain.now().await?;
	let mut roster = client.roster(hospital).await?;
	roster.retain(|shift| shift.until > now);
	roster.sort_by_key(|shift| (shift.from, shift.until));
	Ok((now, roster))
}

/// Prints the roster of `hospital`, shifts that have not ended, by start time.
pub async fn show_roster(
	client: &Client,
	me: &Keys,
	hospital: &AccountId,
	json: bool,
) -> Result<(), Error> {
	let (now, roster) = shifts_to_come(client, hospital).await?;
	let names = Names::load(client, Some(&me.account_id())).await?;
	let text = roster
		.iter()
		.map(|shift| {
			format!(
				"{}: {} to {}{}",
				names.of(&shift.doctor),
				human::time(shift.from),
				human::time(shift.until),
				if shift.holds(now) { " (on call now)" } else { "" }
			)
		})
		.collect::<Vec<_>>()
		.join("\n");
	let listed: Vec<_> = roster
		.iter()
		.map(|shift| {
			json!({
				"doctor": shift.doctor.to_ss58check(),
				"from": shift.from,
				"until": shift.until,
				"onCallNow": shift.holds(now),
			})
		})
		.collect();
	let at = if *hospital == me.account_id() { "your hospital".into() } else { names.of(hospital) };
	let text = if roster.is_empty() {
		format!("nobody is on call at {at}: its roster has no shift to come")
	} else {
		format!("On call at {at}:\n{text}")
	};
	say(json, json!({ "hospital": hospital.to_ss58check(), "shifts": listed }), text);
	Ok(())
}
