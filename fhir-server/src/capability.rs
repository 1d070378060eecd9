//! What the server says it does: the `CapabilityStatement` (`GET /metadata`) lists exactly the
//! resources, interactions and search parameters that [`crate::api`] serves, and the SMART
//! configuration (`GET /.well-known/smart-configuration`) the endpoints and capabilities of
//! [`crate::smart`].

use std::sync::Arc;

use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde_json::{json, Value};

use crate::{api::RECORD_TYPES, outcome::fhir_response, Server};

fn search_param(name: &str, kind: &str, doc: &str) -> Value {
	json!({ "name": name, "type": kind, "documentation": doc })
}

/// The `CapabilityStatement`.
pub fn capability_statement(base_url: &str) -> Value {
	let patient_param = search_param(
		"patient",
		"reference",
		"The patient (Patient/<account address>); the token's patient if left out",
	);
	let paging = [
		search_param("_count", "number", "Page size, at most 50"),
		search_param("_cursor", "string", "Where the page starts (from a `next` link)"),
	];
	let mut resources: Vec<Value> = RECORD_TYPES
		.iter()
		.map(|(name, _)| {
			let mut params = vec![
				patient_param.clone(),
				search_param("category", "token", "A category code"),
				search_param("code", "token", "A code, or system|code"),
				search_param("date", "date", "The clinical date, with eq, ne, ge, gt, le, lt"),
			];
			params.extend(paging.iter().cloned());
			json!({
				"type": name,
				"versioning": "versioned",
				"readHistory": true,
				"updateCreate": false,
				"interaction": [
					{ "code": "read" }, { "code": "vread" }, { "code": "history-instance" },
					{ "code": "search-type" }, { "code": "create" },
				],
				"searchParam": params,
			})
		})
		.collect();
	resources.push(json!({
		"type": "Patient",
		"interaction": [{ "code": "read" }, { "code": "search-type" }],
		"searchParam": [search_param("_id", "token", "The account address")],
		"operation": [{ "name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything" }],
	}));
	resources.push(json!({
		"type": "Practitioner",
		"interaction": [{ "code": "read" }],
	}));
	let mut params = vec![
		patient_param.clone(),
		search_param("category", "token", "alert or notification"),
		search_param("date", "date", "When it was sent, with eq, ne, ge, gt, le, lt"),
	];
	params.extend(paging.iter().cloned());
	resources.push(json!({
		"type": "Communication",
		"documentation": "The messages between the clinician behind the token and a patient, opened with the clinician's key; id is <message id>-<recipient address>. Create writes to the patient of subject (a message, or an alert with category alert and a priority); the chain decides whether they may write to each other.",
		"interaction": [{ "code": "read" }, { "code": "search-type" }, { "code": "create" }],
		"searchParam": params,
	}));
	for name in ["Consent", "AuditEvent"] {
		let mut params = vec![patient_param.clone()];
		params.extend(paging.iter().cloned());
		resources.push(json!({
			"type": name,
			"interaction": [{ "code": "search-type" }],
			"searchParam": params,
		}));
	}
	json!({
		"resourceType": "CapabilityStatement",
		"status": "active",
		"date": "2026-12-06",
		"publisher": "EHR consortium",
		"kind": "instance",
		"software": { "name": "ehr-fhir-server", "version": env!("CARGO_PKG_VERSION") },
		"implementation": { "description": "Patients' records on the EHR consortium chain", "url": base_url },
		"fhirVersion": "4.0.1",
		"format": ["json"],
		"rest": [{
			"mode": "server",
			"security": {
				"cors": false,
				"service": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR" }] }],
				"extension": [{
					"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
					"extension": [
						{ "url": "authorize", "valueUri": format!("{base_url}/auth/authorize") },
						{ "url": "token", "valueUri": format!("{base_url}/auth/token") },
						{ "url": "revoke", "valueUri": format!("{base_url}/auth/revoke") },
					],
				}],
			},
			"resource": resources,
		}],
	})
}

/// `GET /metadata`.
pub async fn metadata(State(server): State<Arc<Server>>) -> Response {
	fhir_response(StatusCode::OK, &capability_statement(&server.base_url))
}

/// `GET /.well-known/smart-configuration`.
pub async fn smart_configuration(State(server): State<Arc<Server>>) -> Json<Value> {
	let base = &server.base_url;
	Json(json!({
		"issuer": base,
		"authorization_endpoint": format!("{base}/auth/authorize"),
		"token_endpoint": format!("{base}/auth/token"),
		"revocation_endpoint": format!("{base}/auth/revoke"),
		"jwks_uri": format!("{base}/.well-known/jwks.json"),
		"token_endpoint_auth_methods_supported": ["none", "private_key_jwt", "client_secret_basic", "client_secret_post"],
		"token_endpoint_auth_signing_alg_values_supported": ["ES256", "ES384", "RS256", "RS384"],
		"grant_types_supported": ["authorization_code", "refresh_token"],
		"response_types_supported": ["code"],
		"code_challenge_methods_supported": ["S256"],
		"scopes_supported": [
			"openid", "launch", "launch/patient", "fhirUser", "offline_access", "online_access",
			"patient/*.rs", "user/*.rs", "user/*.crs", "patient/Observation.rs", "user/Observation.crs",
		],
		"capabilities": [
			"launch-standalone", "launch-ehr", "client-public", "client-confidential-asymmetric",
			"client-confidential-symmetric", "context-standalone-patient",
			"context-ehr-patient",
			"permission-patient", "permission-user", "permission-v1", "permission-v2",
			"permission-offline", "permission-online", "sso-openid-connect",
		],
	}))
}

/// `GET /.well-known/openid-configuration`: what an OpenID Connect client needs to check id
/// tokens.
pub async fn openid_configuration(State(server): State<Arc<Server>>) -> Json<Value> {
	let base = &server.base_url;
	Json(json!({
		"issuer": base,
		"authorization_endpoint": format!("{base}/auth/authorize"),
		"token_endpoint": format!("{base}/auth/token"),
		"jwks_uri": format!("{base}/.well-known/jwks.json"),
		"response_types_supported": ["code"],
		"grant_types_supported": ["authorization_code", "refresh_token"],
		"token_endpoint_auth_methods_supported": ["none"],
		"code_challenge_methods_supported": ["S256"],
		"subject_types_supported": ["public"],
		"id_token_signing_alg_values_supported": ["ES256"],
		"scopes_supported": ["openid", "fhirUser"],
		"claims_supported": ["iss", "sub", "aud", "iat", "exp", "nonce", "fhirUser"],
	}))
}

/// `GET /.well-known/jwks.json`: the key id tokens are signed with.
pub async fn jwks(State(server): State<Arc<Server>>) -> Json<jsonwebtoken::jwk::JwkSet> {
	Json(server.id_tokens.jwks())
}
