//! Errors as FHIR `OperationOutcome`s with the HTTP status a FHIR client expects: 400 a request
//! that makes no sense, 401 no valid token, 403 a token or the chain's consent that does not
//! allow it, 404 nothing there, 410 erased, 413 too large, 422 a resource that does not validate,
//! 503 the node or IPFS unreachable.

use axum::{
	http::{header, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
};
use serde_json::{json, Value};

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A refused or failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
	/// The HTTP status.
	pub status: StatusCode,
	/// FHIR's issue type (`forbidden`, `not-found`, `deleted`, `invalid`, …).
	pub code: &'static str,
	/// What happened, for people.
	pub message: String,
}

impl ApiError {
	pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
		ApiError { status, code, message: message.into() }
	}
	pub fn bad_request(message: impl Into<String>) -> Self {
		Self::new(StatusCode::BAD_REQUEST, "invalid", message)
	}
	pub fn unauthorized(message: impl Into<String>) -> Self {
		Self::new(StatusCode::UNAUTHORIZED, "login", message)
	}
	pub fn forbidden(message: impl Into<String>) -> Self {
		Self::new(StatusCode::FORBIDDEN, "forbidden", message)
	}
	pub fn not_found(message: impl Into<String>) -> Self {
		Self::new(StatusCode::NOT_FOUND, "not-found", message)
	}
	pub fn gone(message: impl Into<String>) -> Self {
		Self::new(StatusCode::GONE, "deleted", message)
	}
	pub fn unprocessable(message: impl Into<String>) -> Self {
		Self::new(StatusCode::UNPROCESSABLE_ENTITY, "processing", message)
	}
	pub fn unavailable(message: impl Into<String>) -> Self {
		Self::new(StatusCode::SERVICE_UNAVAILABLE, "transient", message)
	}

	/// The `OperationOutcome` resource.
	pub fn outcome(&self) -> Value {
		operation_outcome("error", self.code, &self.message)
	}
}

/// An `OperationOutcome` with one issue.
pub fn operation_outcome(severity: &str, code: &str, text: &str) -> Value {
	json!({
		"resourceType": "OperationOutcome",
		"issue": [{ "severity": severity, "code": code, "diagnostics": text }],
	})
}

impl From<ehr_client::Error> for ApiError {
	/// The SDK's errors: what the chain or the client refused is 403 (the chain's consent
	/// decides), an unreachable node or store 503, content that does not match its commitment
	/// or does not decrypt 502 (the store served something else), bad input 400.
	fn from(error: ehr_client::Error) -> Self {
		use ehr_client::Error as E;
		let message = error.to_string();
		match error {
			E::Refused(_) => ApiError::forbidden(message),
			E::Node(_) | E::Storage(_) | E::Finality(_) => ApiError::unavailable(message),
			E::Envelope(_) | E::HashMismatch | E::Unverified(_) => {
				ApiError::new(StatusCode::BAD_GATEWAY, "integrity", message)
			}
			E::Invalid(_) | E::Usage(_) => ApiError::bad_request(message),
			_ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "exception", message),
		}
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		let mut response = fhir_response(self.status, &self.outcome());
		if self.status == StatusCode::UNAUTHORIZED {
			response.headers_mut().insert(
				header::WWW_AUTHENTICATE,
				HeaderValue::from_static("Bearer realm=\"ehr-fhir\", error=\"invalid_token\""),
			);
		}
		response
	}
}

/// A FHIR JSON response.
pub fn fhir_response(status: StatusCode, body: &Value) -> Response {
	let mut response = (status, body.to_string()).into_response();
	response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
	// Records are patients' data: never kept by a cache on the way.
	response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
	response
}
