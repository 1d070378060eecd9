//! `ehr budget`: what an account may still do for free this period.

use clap::Args;
use ehr_client::{Client, Error, Keys};

use crate::{session::account, ui::say};

#[derive(Args)]
pub struct BudgetArgs {
	/// Another account to ask about (SS58 address; default: yours).
	pub account: Option<String>,
}

/// Prints the free budget of `me`, or of the account asked about.
pub async fn run(client: &Client, me: &Keys, args: BudgetArgs, json: bool) -> Result<(), Error> {
	let my_id = me.account_id();
	let other = args.account;
	let who = match other {
		Some(other) => account(&other)?,
		None => my_id.clone(),
	};
	let budget = client.free_budget(&who).await?;
	let text = if budget.registered {
		let percent = |left: u64, per: u64| left.saturating_mul(100) / per.max(1);
		format!(
			"free use left this period: {}% of the execution time ({:.3} of {:.3} s), {}% of \
			 the bytes ({} of {} KiB); renews at block #{}",
			percent(budget.ref_time_left, budget.ref_time_per_period),
			budget.ref_time_left as f64 / 1e12,
			budget.ref_time_per_period as f64 / 1e12,
			percent(budget.bytes_left.into(), budget.bytes_per_period.into()),
			budget.bytes_left / 1024,
			budget.bytes_per_period / 1024,
			budget.renews_at,
		)
	} else {
		"not registered for free use: every transaction pays the normal fee (a hospital \
		 can invite you: `ehr hospital invite-patient <address>`)"
			.to_string()
	};
	say(json, serde_json::to_value(budget).unwrap_or_default(), text);
	Ok(())
}
