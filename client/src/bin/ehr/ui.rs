//! What the command prints: words for people or one JSON object for scripts, the spinner that
//! shows where a transaction is, progress bars, and the small formats every group shares.

use std::sync::OnceLock;

use ehr_client::{Error, ErrorKind};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

/// The spinner that shows where a transaction is; cleared before anything is printed.
static SPINNER: OnceLock<ProgressBar> = OnceLock::new();

pub fn spinner(json: bool) -> ProgressBar {
	SPINNER
		.get_or_init(|| {
			if json {
				return ProgressBar::hidden();
			}
			let bar = ProgressBar::new_spinner();
			bar.set_style(
				ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
					.expect("a valid template"),
			);
			bar
		})
		.clone()
}

pub fn clear_spinner() {
	if let Some(bar) = SPINNER.get() {
		bar.finish_and_clear();
	}
}

pub fn progress_bar(json: bool) -> ProgressBar {
	if json {
		return ProgressBar::hidden();
	}
	let bar = ProgressBar::new(0);
	bar.set_style(
		ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
			.expect("a valid template"),
	);
	bar
}

/// A bar counting items (keys re-wrapped, records re-encrypted), hidden with --json.
pub fn count_bar(json: bool) -> ProgressBar {
	if json {
		ProgressBar::hidden()
	} else {
		ProgressBar::new(0)
	}
}

/// A progress callback (items done, total) that moves `bar`.
pub fn count_to(bar: &ProgressBar) -> impl FnMut(usize, usize) + Send {
	let mut report = report_to(bar);
	move |done, total| report(done as u64, total as u64)
}

/// A progress callback (bytes done, total) that moves `bar`.
pub fn report_to(bar: &ProgressBar) -> impl FnMut(u64, u64) + Send {
	let bar = bar.clone();
	move |done, total| {
		bar.set_length(total);
		bar.set_position(done)
	}
}

/// Prints `value` as JSON, or `text` for people.
pub fn say(json: bool, value: Value, text: String) {
	clear_spinner();
	if json {
		println!("{value}");
	} else {
		println!("{text}");
	}
}

/// A warning for people (standard error; not with --json, where the JSON says it).
pub fn warn(json: bool, text: String) {
	if !json {
		clear_spinner();
		eprintln!("warning: {text}");
	}
}

/// A list for people, or what it means when there is nothing to list (not a blank line).
pub fn or_none(text: String, none: &str) -> String {
	if text.trim().is_empty() {
		none.to_string()
	} else {
		text
	}
}

/// A warning about readers with consent but an unusable key, or nothing.
pub fn unusable_note(readers: &[String]) -> String {
	if readers.is_empty() {
		return String::new();
	}
	format!(
		"\nnot readable by {} (their published encryption key is unusable: they must publish a \
		 new one, then the patient shares the key again)",
		readers.join(", ")
	)
}

/// `done (final in block #12)`.
pub fn done(json: bool, what: &str, included: &ehr_client::Included) {
	say(
		json,
		json!({ "done": what, "block": included.block, "blockNumber": included.number }),
		format!("{what} (final in block #{})", included.number),
	);
}

/// Bytes for people: `812 bytes`, `20.0 KiB`, `3.4 MiB`.
pub fn size(bytes: u64) -> String {
	match bytes {
		b if b < 1024 => format!("{b} bytes"),
		b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
		b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
		b => format!("{:.1} GiB", b as f64 / (1 << 30) as f64),
	}
}

/// `3, 5, 8`.
pub fn ids(ids: &[u64]) -> String {
	ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

/// The JSON of `value` with its `cid` field (binary, hex) in text form (bafk…).
pub fn with_text_cid(mut value: Value) -> Value {
	if let Some(cid) = value.get("cid").and_then(Value::as_str) {
		if let Ok(bytes) = sp_core::bytes::from_hex(cid) {
			value["cid"] = Value::String(ehr_client::cid::to_string(&bytes));
		}
	}
	value
}

/// The process exit code of `error` (the classes `ehr --help` lists, [`crate::cli::EXIT_CODES`]):
/// 2 bad usage, 3 refused, 4 integrity, 5 unreachable, 6 keys, 130 interrupted, 1 anything else.
pub fn exit_code(error: &Error) -> i32 {
	match error.kind() {
		ErrorKind::Usage => 2,
		ErrorKind::Refused => 3,
		ErrorKind::Integrity => 4,
		ErrorKind::Unreachable => 5,
		ErrorKind::Keys => 6,
		ErrorKind::Interrupted => 130,
		ErrorKind::Other => 1,
	}
}
