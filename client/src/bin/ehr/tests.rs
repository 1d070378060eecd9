//! The command line's own checks: parsing, help, exit codes.

use super::*;
use clap::CommandFactory;
use cli::{category_of, Category, PurposeArg, EXIT_CODES};
use consent::ConsentCommand;
use doctor::DoctorCommand;
use ehr_primitives::RecordCategory;
use record::RecordCommand;
use session::account;
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;
use ui::{or_none, size};

const PATIENT: &str = "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY";

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
	Cli::try_parse_from(std::iter::once("ehr").chain(args.iter().copied()))
}

#[test]
fn a_bad_address_is_bad_usage_and_says_what_an_address_looks_like() {
	let error = account("not-an-address").unwrap_err();
	assert_eq!(ui::exit_code(&error), 2);
	assert!(error.to_string().contains("SS58") && error.to_string().contains("key show"));
	assert_eq!(account(PATIENT).unwrap().to_ss58check(), PATIENT);
	// The hex account id that other tools print is the same account.
	let hex = format!("0x{}", hex::encode(account(PATIENT).unwrap()));
	assert_eq!(account(&hex).unwrap().to_ss58check(), PATIENT);
}

#[test]
fn empty_lists_say_so_and_record_get_needs_force_to_replace() {
	assert_eq!(or_none(String::new(), "no records"), "no records");
	assert_eq!(or_none("#1".into(), "no records"), "#1");
	let cli = parse(&["record", "get", "1", "--out", "x.pdf"]).unwrap();
	assert!(matches!(cli.command, Command::Record(RecordCommand::Get { force: false, .. })));
	let cli = parse(&["record", "get", "1", "--out", "x.pdf", "--force"]).unwrap();
	assert!(matches!(cli.command, Command::Record(RecordCommand::Get { force: true, .. })));
}

#[test]
fn emergency_takes_a_code_and_an_optional_note_not_a_free_text_reason() {
	let cli = parse(&["doctor", "emergency", PATIENT, "--code", "life-threatening", "--note", "x"])
		.expect("a code and a note parse");
	match cli.command {
		Command::Doctor(DoctorCommand::Emergency { code, note, .. }) => {
			assert_eq!(
				ehr_primitives::EmergencyReason::from(code),
				ehr_primitives::EmergencyReason::LifeThreatening
			);
			assert_eq!(note.as_deref(), Some("x"));
		}
		_ => panic!("parsed as another command"),
	}
	assert!(parse(&["doctor", "emergency", PATIENT, "--code", "unconscious"]).is_ok());
	assert!(parse(&["doctor", "emergency", PATIENT]).is_err());
	assert!(parse(&["doctor", "emergency", PATIENT, "--code", "bored"]).is_err());
	assert!(parse(&["doctor", "emergency", PATIENT, "--reason", "unconscious"]).is_err());
}

#[test]
fn categories_purposes_and_delegates_parse_as_words() {
	let cli = parse(&[
		"consent",
		"grant",
		PATIENT,
		"--categories",
		"lab-report,prescription",
		"--purpose",
		"care",
		"--for",
		PATIENT,
	])
	.unwrap();
	match cli.command {
		Command::Consent(ConsentCommand::Grant { categories, purpose, for_patient, .. }) => {
			assert_eq!(
				categories,
				vec![Category(RecordCategory::LabReport), Category(RecordCategory::Prescription)]
			);
			assert_eq!(purpose, PurposeArg::Care);
			assert_eq!(for_patient.as_deref(), Some(PATIENT));
		}
		_ => panic!("parsed as another command"),
	}
	assert!(parse(&["consent", "grant", PATIENT, "--categories", "xrays"]).is_err());
	assert!(parse(&["consent", "sync", "--for", PATIENT]).is_ok());
	assert_eq!(category_of("lab-report"), Some(RecordCategory::LabReport));
	// Every category of the chain, by its JSON name, described in the help.
	for category in RecordCategory::ALL {
		let name = serde_json::to_value(category).unwrap().as_str().unwrap().to_string();
		assert_eq!(category_of(&name), Some(category));
	}
	let help = Cli::command()
		.find_subcommand_mut("record")
		.unwrap()
		.find_subcommand_mut("upload")
		.unwrap()
		.render_long_help()
		.to_string();
	assert!(help.contains("lab-report") && help.contains("a laboratory report"), "{help}");
}

#[test]
fn a_slot_needs_a_time_and_an_answer_needs_a_choice() {
	assert!(parse(&["slot", "publish"]).is_err());
	assert!(parse(&["slot", "publish", "--at", "2026-12-01 09:30"]).is_ok());
	assert!(parse(&["slot", "publish", "--in-minutes", "60"]).is_ok());
	assert!(parse(&["slot", "publish", "--in-minutes", "60", "--at", "2026-12-01 09:30"]).is_err());
	assert!(parse(&["appointment", "answer", "0"]).is_err());
	assert!(parse(&["appointment", "answer", "0", "--accept", "--decline"]).is_err());
	assert!(parse(&["appointment", "answer", "0", "--decline"]).is_ok());
}

/// Every argument and option of every command says what it is (`--help` leaves nothing bare).
#[test]
fn every_argument_is_described_in_help() {
	fn walk(command: &clap::Command, path: &str, bare: &mut Vec<String>) {
		for arg in command.get_arguments() {
			let id = arg.get_id().as_str();
			if arg.is_hide_set() || id == "help" || id == "version" {
				continue;
			}
			if arg.get_help().is_none() && arg.get_long_help().is_none() {
				bare.push(format!("{path} {id}"));
			}
		}
		for sub in command.get_subcommands() {
			if sub.is_hide_set() {
				continue;
			}
			if sub.get_about().is_none() {
				bare.push(format!("{path} {} (no description)", sub.get_name()));
			}
			walk(sub, &format!("{path} {}", sub.get_name()), bare);
		}
	}
	let mut bare = Vec::new();
	walk(&Cli::command(), "ehr", &mut bare);
	assert!(bare.is_empty(), "undescribed: {bare:?}");
}

/// The exit codes `--help` lists are the ones the errors give, class by class.
#[test]
fn exit_codes_in_help_match_the_errors() {
	let listed = |code: i32| {
		EXIT_CODES.lines().any(|line| line.trim_start().starts_with(&format!("{code} ")))
	};
	let classes = [
		(Error::Usage("x".into()), 2, "bad usage"),
		(Error::Refused("x".into()), 3, "refused"),
		(Error::HashMismatch, 4, "integrity"),
		(Error::Node("x".into()), 5, "unreachable"),
		(Error::Storage("x".into()), 5, "unreachable"),
		(Error::KeyFile("x".into()), 6, "keys"),
		(Error::WrongPassphrase, 6, "keys"),
		(Error::Interrupted, 130, "interrupted"),
		(Error::Invalid("x".into()), 1, "anything else"),
	];
	for (error, code, class) in classes {
		assert_eq!(ui::exit_code(&error), code, "{error:?}");
		assert!(listed(code), "exit code {code} is not in the help");
		let line = EXIT_CODES
			.lines()
			.find(|line| line.trim_start().starts_with(&format!("{code} ")))
			.unwrap();
		assert!(line.contains(class), "{code}: {line}");
	}
	// The README lists the same codes.
	let readme = include_str!("../../../../README.md");
	for code in [2, 3, 4, 5, 6, 130] {
		assert!(readme.contains(&format!("{code} ")), "README misses exit code {code}");
	}
	// The help shows them.
	let help = Cli::command().render_long_help().to_string();
	assert!(help.contains("Exit codes:") && help.contains("130"));
}

#[test]
fn a_profile_must_be_a_valid_fhir_patient() {
	let check = |path: &std::path::Path| {
		let me = AccountId::new([1; 32]);
		care::prepare_upload(path, None, &me, &me, 0, true).map(|_| ())
	};
	let dir = tempfile::tempdir().unwrap();
	let good = dir.path().join("good.json");
	std::fs::write(&good, r#"{"resourceType": "Patient", "name": [{"family": "Doe"}]}"#).unwrap();
	assert!(check(&good).is_ok());
	let other = dir.path().join("other.json");
	std::fs::write(&other, r#"{"resourceType": "Observation", "code": {"text": "x"}}"#).unwrap();
	assert_eq!(ui::exit_code(&check(&other).unwrap_err()), 2);
	let text = dir.path().join("text.txt");
	std::fs::write(&text, "Jane Doe, born 1980").unwrap();
	let error = check(&text).unwrap_err();
	assert!(error.to_string().contains("FHIR"), "{error}");
	let missing = check(&dir.path().join("none.json")).unwrap_err();
	assert!(missing.to_string().contains("none.json"), "{missing}");
	// A Patient with a misspelt field is refused at its path.
	let misspelt = dir.path().join("misspelt.json");
	std::fs::write(&misspelt, r#"{"resourceType": "Patient", "birthDate": "1980-13-45"}"#).unwrap();
	let error = check(&misspelt).unwrap_err();
	assert!(error.to_string().contains("/birthDate"), "{error}");
}

#[test]
fn uploads_are_fhir_or_wrapped_and_come_back_as_they_went_in() {
	let patient = AccountId::new([1; 32]);
	let dir = tempfile::tempdir().unwrap();
	let pdf = dir.path().join("scan.pdf");
	std::fs::write(&pdf, b"%PDF-1.7 not really").unwrap();
	let prepared = care::prepare_upload(&pdf, None, &patient, &patient, 0, false).unwrap();
	assert_eq!(prepared.category, RecordCategory::Document);
	assert!(prepared.how.contains("DocumentReference"), "{}", prepared.how);
	// What `record get` writes: the wrapped resource, then the file it wraps.
	let out = dir.path().join("out.pdf");
	std::fs::copy(&prepared.path, &out).unwrap();
	let made_for = (&patient, &patient);
	assert_eq!(
		care::after_get(&out, false, made_for).unwrap(),
		"the file stored beside its FHIR resource"
	);
	assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-1.7 not really");
	// With --fhir: the resource, the file inline (base64), as FHIR readers expect.
	std::fs::copy(&prepared.path, &out).unwrap();
	assert_eq!(care::after_get(&out, true, made_for).unwrap(), "the FHIR resource");
	let resource: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
	assert_eq!(resource["resourceType"], "DocumentReference");
	assert_eq!(ehr_client::fhir::unwrap_file(&resource).unwrap(), b"%PDF-1.7 not really");
	// A record stored before, the file inline in its resource, reads as it did.
	std::fs::write(&out, serde_json::to_vec(&resource).unwrap()).unwrap();
	assert_eq!(
		care::after_get(&out, false, made_for).unwrap(),
		"the file kept in its FHIR resource"
	);
	assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-1.7 not really");
	// A text prescription becomes a MedicationRequest, and comes back as written.
	let rx = dir.path().join("rx.txt");
	std::fs::write(&rx, "Amoxicillin 500 mg\nthree times a day\n").unwrap();
	let doctor = AccountId::new([2; 32]);
	let prepared =
		care::prepare_upload(&rx, Some(RecordCategory::Prescription), &doctor, &patient, 0, false)
			.unwrap();
	assert!(prepared.how.contains("MedicationRequest"), "{}", prepared.how);
	std::fs::copy(&prepared.path, &out).unwrap();
	// Read as another author's, or with its medication changed, it stays the resource.
	assert!(care::after_get(&out, false, (&patient, &patient)).unwrap().contains("do not match"));
	let mut changed: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
	changed["medicationCodeableConcept"]["text"] = "Oxycodone 80 mg".into();
	std::fs::write(&out, changed.to_string()).unwrap();
	assert!(care::after_get(&out, false, (&patient, &doctor)).unwrap().contains("do not match"));
	std::fs::copy(&prepared.path, &out).unwrap();
	care::after_get(&out, false, (&patient, &doctor)).unwrap();
	assert_eq!(std::fs::read(&out).unwrap(), b"Amoxicillin 500 mg\nthree times a day\n");
	// A FHIR report keeps its bytes and takes its category from its type.
	let report = dir.path().join("report.json");
	std::fs::write(
		&report,
		r#"{"resourceType": "DiagnosticReport", "status": "final", "code": {"text": "HbA1c"}}"#,
	)
	.unwrap();
	let prepared = care::prepare_upload(&report, None, &patient, &patient, 0, false).unwrap();
	assert_eq!((prepared.category, prepared.path.clone()), (RecordCategory::LabReport, report));
	// An invalid one is refused with the offending path.
	let bad = dir.path().join("bad.json");
	std::fs::write(&bad, r#"{"resourceType": "DiagnosticReport", "status": "done", "code": {}}"#)
		.unwrap();
	let Err(error) = care::prepare_upload(&bad, None, &patient, &patient, 0, false) else {
		panic!("accepted")
	};
	assert!(error.to_string().contains("/status"), "{error}");
	assert_eq!(ui::exit_code(&error), 2);
}

/// Real files (a JPEG and a PDF made from a screenshot of the web app, in `client/tests/data`)
/// are stored at their own size, not a third larger in base64: the plaintext is the file and a
/// header of a few hundred bytes, the envelope adds its tags; both come back byte for byte.
/// Prints the figures (`cargo test -p ehr-client --bin ehr stored_size -- --nocapture`).
#[test]
fn stored_size_of_a_pdf_and_a_jpeg_is_their_own() {
	let patient = AccountId::new([1; 32]);
	let dir = tempfile::tempdir().unwrap();
	for (name, category, kind) in [
		("scan.jpg", None, "DocumentReference"),
		("lab-report.pdf", Some(RecordCategory::LabReport), "DiagnosticReport"),
	] {
		let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
		let original = std::fs::read(&file).unwrap();
		let prepared = care::prepare_upload(&file, category, &patient, &patient, 0, false).unwrap();
		let stored = std::fs::read(&prepared.path).unwrap();
		let resource = ehr_client::fhir::resource_of(&stored).unwrap();
		assert_eq!(resource["resourceType"], kind, "{name}");
		let inline = serde_json::to_vec(&resource).unwrap().len() as f64;
		let envelope = ehr_envelope::envelope_len(stored.len() as u64) as f64;
		let size = original.len() as f64;
		println!(
			"{name}: {} bytes; plaintext {} bytes ({:.4}x), envelope {} bytes ({:.4}x); the file \
			 inline in base64 would be {} bytes ({:.3}x)",
			original.len(),
			stored.len(),
			stored.len() as f64 / size,
			envelope,
			envelope / size,
			inline,
			inline / size
		);
		assert!(envelope / size < 1.01, "{name}: {envelope} bytes stored for {size}");
		assert!(inline / size > 1.33, "{name}: base64 is a third larger");
		let out = dir.path().join(name);
		std::fs::write(&out, &stored).unwrap();
		care::after_get(&out, false, (&patient, &patient)).unwrap();
		assert!(std::fs::read(&out).unwrap() == original, "{name} comes back byte for byte");
	}
}

#[test]
fn sizes_read_as_words() {
	assert_eq!(size(812), "812 bytes");
	assert_eq!(size(20 * 1024), "20.0 KiB");
	assert_eq!(size(3 << 20), "3.0 MiB");
}

#[test]
fn several_ipfs_nodes_and_the_pinning_service_parse() {
	let cli =
		parse(&["--ipfs", "http://127.0.0.1:5001,http://127.0.0.2:5001", "pin-service"]).unwrap();
	assert_eq!(cli.global.ipfs, ["http://127.0.0.1:5001", "http://127.0.0.2:5001"]);
	assert!(matches!(
		cli.command,
		Command::PinService(pinning::PinServiceArgs { once: false, replicas: 2, .. })
	));
	let cli = parse(&["pin-service", "--once", "--replicas", "3"]).unwrap();
	assert!(matches!(
		cli.command,
		Command::PinService(pinning::PinServiceArgs { once: true, replicas: 3, .. })
	));
	assert!(parse(&["pin-service", "--replicas", "0"]).is_err());
	assert!(parse(&["pin-service", "--replicas", "17"]).is_err());
	assert!(parse(&["record", "list"]).unwrap().global.ipfs.is_empty());
}

#[test]
fn json_for_a_terminal_escapes_what_a_terminal_acts_on() {
	let value = serde_json::json!({ "text": "drug\u{202e}gurd \u{9b}31m ok" });
	let text = care::json_text(&value);
	assert!(!text.contains('\u{202e}') && !text.contains('\u{9b}'), "{text}");
	assert!(text.contains("\\u202e") && text.contains("\\u009b"), "{text}");
	assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
}

#[test]
fn the_outbox_waits_within_a_timeout_and_its_drainer_is_hidden() {
	let cli = parse(&["outbox", "--wait", "--timeout", "30"]).unwrap();
	assert!(matches!(
		cli.command,
		Command::Outbox(outbox::OutboxArgs { wait: true, timeout: 30, background: false })
	));
	let cli = parse(&["outbox"]).unwrap();
	assert!(matches!(
		cli.command,
		Command::Outbox(outbox::OutboxArgs { wait: false, timeout: 120, .. })
	));
	// The background drainer is started by the command itself, not offered in the help.
	let help = Cli::command().find_subcommand("outbox").unwrap().clone().render_long_help();
	assert!(!help.to_string().contains("--background"), "{help}");
	assert!(help.to_string().contains("--wait"));
	let cli = parse(&["record", "get", "3", "--out", "x.pdf", "--wait-log"]).unwrap();
	assert!(matches!(cli.command, Command::Record(RecordCommand::Get { wait_log: true, .. })));
}

#[test]
fn a_roster_is_checked_shift_by_shift_before_it_is_sent() {
	use hospital::{check_roster, parse_shift};
	let at = |text: &str| ehr_client::human::parse_local_time(text).unwrap();
	let shift = parse_shift(&format!("{PATIENT}=2026-12-08 08:00/2026-12-08T20:00")).unwrap();
	assert_eq!(
		(shift.doctor.to_ss58check(), shift.from, shift.until),
		(PATIENT.to_string(), at("2026-12-08 08:00"), at("2026-12-08 20:00"))
	);
	for bad in [
		format!("{PATIENT}@2026-12-08 08:00/2026-12-08 20:00"),
		format!("{PATIENT}=2026-12-08 08:00"),
		format!("{PATIENT}=2026-12-08 08:00/tonight"),
		"nobody=2026-12-08 08:00/2026-12-08 20:00".to_string(),
	] {
		assert_eq!(parse_shift(&bad).map(|_| ()).map_err(|e| ui::exit_code(&e)), Err(2), "{bad}");
	}
	let now = at("2026-12-07 12:00");
	let ok = |text: &str| parse_shift(&format!("{PATIENT}={text}")).unwrap();
	assert!(check_roster(
		&[ok("2026-12-08 08:00/2026-12-08 20:00"), ok("2026-12-08 20:00/2026-12-09 08:00")],
		now
	)
	.is_ok());
	for (roster, why) in [
		(vec![ok("2026-12-08 20:00/2026-12-08 08:00")], "ends before it starts"),
		(vec![ok("2026-12-08 08:00/2026-12-09 08:01")], "more than 24 hours"),
		(vec![ok("2027-01-08 08:00/2027-01-08 10:00")], "more than 31 days ahead"),
		(
			vec![ok("2026-12-08 08:00/2026-12-08 20:00"), ok("2026-12-08 19:00/2026-12-09 01:00")],
			"overlap",
		),
	] {
		let error = check_roster(&roster, now).unwrap_err();
		assert_eq!(ui::exit_code(&error), 2);
		assert!(error.to_string().contains(why), "{error}");
	}
	// The command's help names the shift's form.
	let help = Cli::command()
		.find_subcommand_mut("hospital")
		.unwrap()
		.find_subcommand_mut("set-on-call")
		.unwrap()
		.render_long_help()
		.to_string();
	assert!(help.contains("DOCTOR=FROM/UNTIL") && help.contains("--add"), "{help}");
}
