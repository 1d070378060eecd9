//! `ehr-node`: a validator node of the hospital consortium chain.

#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod consortium_spec;
mod ehr_rpc;
mod fees_rpc;
mod on_call;
mod finality_rpc;
mod records_rpc;
mod relay;
mod rpc;
mod service;
mod visit_rpc;

fn main() -> sc_cli::Result<()> {
	command::run()
}
