//! SMART App Launch scopes: v2 syntax (`patient/Observation.rs`, `user/*.cruds`) and the v1
//! forms (`.read`, `.write`, `.*`), `launch` (an EHR launch), `launch/patient`, `openid`,
//! `fhirUser`, `offline_access`.
//!
//! A scope only ever narrows what the token may do; whether the chain's consent allows it is
//! asked on every request. Scopes this server cannot honour exactly are dropped from the grant
//! (OAuth lets a server grant less than asked), never widened: a v2 scope with a query
//! (`patient/Observation.rs?category=laboratory`) is dropped rather than served without its
//! filter, and `system/` scopes (backend services) are not offered.

use std::fmt;

/// Whose data a resource scope is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
	/// The patient in the token's context.
	Patient,
	/// Whatever the signed-in user may see.
	User,
}

/// What a request does to a resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
	Create,
	Read,
	Update,
	Delete,
	Search,
}

impl Op {
	fn letter(self) -> char {
		match self {
			Op::Create => 'c',
			Op::Read => 'r',
			Op::Update => 'u',
			Op::Delete => 'd',
			Op::Search => 's',
		}
	}
}

/// One resource scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceScope {
	pub context: Context,
	/// The resource type, or `None` for `*`.
	pub resource: Option<String>,
	/// The permitted operations, in `cruds` order.
	pub permissions: String,
}

/// A parsed `scope` parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes {
	pub resources: Vec<ResourceScope>,
	/// `launch`: the app was launched from the EHR (with a `launch` parameter).
	pub launch: bool,
	pub launch_patient: bool,
	pub openid: bool,
	pub fhir_user: bool,
	pub offline_access: bool,
	pub online_access: bool,
}

/// The longest `scope` parameter taken, and the most scopes in it.
pub const MAX_SCOPE_LEN: usize = 2048;
pub const MAX_SCOPES: usize = 64;

fn permissions(text: &str) -> Option<String> {
	match text {
		"read" => return Some("rs".into()),
		"write" => return Some("cud".into()),
		"*" => return Some("cruds".into()),
		_ => {}
	}
	// v2: a non-empty subsequence of `cruds`, in order, each letter once.
	let mut order = "cruds".chars();
	for letter in text.chars() {
		order.find(|&c| c == letter)?;
	}
	(!text.is_empty()).then(|| text.to_string())
}

fn resource_scope(scope: &str) -> Option<ResourceScope> {
	let (context, rest) = scope.split_once('/')?;
	let context = match context {
		"patient" => Context::Patient,
		"user" => Context::User,
		_ => return None,
	};
	let (resource, perms) = rest.rsplit_once('.')?;
	if perms.contains('?') || resource.is_empty() {
		return None;
	}
	let resource = match resource {
		"*" => None,
		name if name.chars().all(|c| c.is_ascii_alphanumeric()) => Some(name.to_string()),
		_ => return None,
	};
	Some(ResourceScope { context, resource, permissions: permissions(perms)? })
}

impl Scopes {
	/// The scopes of `text` this server honours (the rest are dropped).
	pub fn parse(text: &str) -> Scopes {
		let mut scopes = Scopes::default();
		for scope in text.split_ascii_whitespace().take(MAX_SCOPES) {
			match scope {
				"launch" => scopes.launch = true,
				"launch/patient" => scopes.launch_patient = true,
				"openid" => scopes.openid = true,
				"fhirUser" => scopes.fhir_user = true,
				"offline_access" => scopes.offline_access = true,
				"online_access" => scopes.online_access = true,
				other => {
					if let Some(resource) = resource_scope(other) {
						if !scopes.resources.contains(&resource) {
							scopes.resources.push(resource);
						}
					}
				}
			}
		}
		scopes
	}

	/// Whether a scope allows `op` on `resource_type` in `context`. `User` scopes cover a
	/// patient's data too (the user sees it); `Patient` scopes only the token's patient.
	pub fn allows(&self, resource_type: &str, op: Op, in_patient_context: bool) -> bool {
		self.resources.iter().any(|scope| {
			(scope.context == Context::User || in_patient_context)
				&& scope.resource.as_deref().is_none_or(|name| name == resource_type)
				&& scope.permissions.contains(op.letter())
		})
	}

	/// Whether any resource scope is about the patient in context.
	pub fn has_patient_scopes(&self) -> bool {
		self.resources.iter().any(|s| s.context == Context::Patient)
	}

	/// Keeps only the resource scopes `keep` says yes to.
	pub fn retain(&mut self, keep: impl Fn(&ResourceScope) -> bool) {
		self.resources.retain(keep);
	}
}

impl fmt::Display for Scopes {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let mut all = Vec::new();
		for (on, name) in [
			(self.launch, "launch"),
			(self.launch_patient, "launch/patient"),
			(self.openid, "openid"),
			(self.fhir_user, "fhirUser"),
			(self.offline_access, "offline_access"),
			(self.online_access, "online_access"),
		] {
			if on {
				all.push(name.to_string());
			}
		}
		for scope in &self.resources {
			let context = match scope.context {
				Context::Patient => "patient",
				Context::User => "user",
			};
			all.push(format!(
				"{context}/{}.{}",
				scope.resource.as_deref().unwrap_or("*"),
				scope.permissions
			));
		}
		write!(f, "{}", all.join(" "))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn v2_and_v1_scopes_parse_and_narrow() {
		let scopes = Scopes::parse(
			"launch/patient openid fhirUser offline_access patient/Observation.rs user/*.read \
			 patient/Consent.cud",
		);
		assert!(
			scopes.launch_patient && scopes.openid && scopes.fhir_user && scopes.offline_access
		);
		assert!(scopes.allows("Observation", Op::Search, true));
		assert!(!scopes.allows("Observation", Op::Create, true));
		// user/*.read gives read and search everywhere, not create.
		assert!(scopes.allows("DocumentReference", Op::Read, false));
		assert!(!scopes.allows("DocumentReference", Op::Create, false));
		// patient/ scopes need a patient context.
		assert!(!Scopes::parse("patient/Observation.rs").allows("Observation", Op::Read, false));
		assert!(Scopes::parse("patient/Consent.c").allows("Consent", Op::Create, true));
		let launched = Scopes::parse("launch patient/*.rs");
		assert!(launched.launch && !launched.launch_patient);
		assert_eq!(launched.to_string(), "launch patient/*.rs");
	}

	#[test]
	fn what_cannot_be_honoured_exactly_is_dropped() {
		for scope in [
			"patient/Observation.rs?category=laboratory",
			"system/*.rs",
			"patient/Observation.sr",
			"patient/Observation.rr",
			"patient/Observation.",
			"patient/.rs",
			"patient/Obs-ervation.rs",
			"patient/Observation.x",
			"Observation.rs",
		] {
			assert!(Scopes::parse(scope).resources.is_empty(), "{scope}");
		}
		assert_eq!(Scopes::parse("user/*.cruds").to_string(), "user/*.cruds");
	}
}
