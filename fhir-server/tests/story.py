"""A clinician's story against ehr-fhir-server with SMART's own Python client, `fhirclient`
(PyPI, maintained by the SMART team): the CapabilityStatement and every resource are parsed by
its R4 models, which refuse what does not follow the specification.

fhirclient 4.3 predates PKCE, which SMART App Launch 2 requires; the subclass below adds the
S256 challenge and verifier to its authorization code flow and changes nothing else. The user's
signature of the sign-in challenge comes from `ehr key sign-in`.

Run by fhir-server/tests/smart_api.rs with:
  FHIR_BASE, EHR_CLI, EHR_NODE_URL, DOCTOR_URI, PATIENT, DOCUMENT_ID, DOCUMENT_SHA256
Prints one JSON line: {"created": "<id of the Observation it wrote>"}.
"""

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys

import requests
from fhirclient import client
from fhirclient.auth import FHIRAuth, FHIROAuth2Auth
from fhirclient.models.bundle import Bundle
from fhirclient.models.documentreference import DocumentReference
from fhirclient.models.observation import Observation

BASE = os.environ["FHIR_BASE"]
PATIENT = os.environ["PATIENT"]
REDIRECT = "http://127.0.0.1:1/callback"


class PKCEAuth(FHIROAuth2Auth):
    """fhirclient's OAuth2 flow with PKCE (RFC 7636, S256)."""

    verifier = secrets.token_urlsafe(48)

    def _authorize_params(self, server):
        params = super()._authorize_params(server)
        digest = hashlib.sha256(self.verifier.encode()).digest()
        params["code_challenge"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        params["code_challenge_method"] = "S256"
        return params

    def _code_exchange_params(self, code):
        params = super()._code_exchange_params(code)
        params["code_verifier"] = self.verifier
        return params


# In place of fhirclient's own OAuth2 class, for the servers that announce OAuth2.
FHIRAuth.auth_classes[PKCEAuth.auth_type] = PKCEAuth


def check(condition, what):
    if not condition:
        print(f"story.py: {what}", file=sys.stderr)
        sys.exit(1)


smart = client.FHIRClient(
    settings={
        "app_id": "lab-viewer",
        "api_base": BASE + "/",
        "redirect_uri": REDIRECT,
        "scope": "patient/*.crs offline_access fhirUser",
    }
)
# The CapabilityStatement, parsed by fhirclient's models, names the OAuth endpoints.
smart.prepare()
check(isinstance(smart.server.auth, PKCEAuth), "the server's security extension names OAuth2")

# Sign in: the challenge, signed by the doctor's key with `ehr key sign-in`.
started = requests.get(smart.authorize_url, headers={"Accept": "application/json"}).json()
signature = subprocess.run(
    [os.environ["EHR_CLI"], "--dev", "--node", os.environ["EHR_NODE_URL"],
     "--suri", os.environ["DOCTOR_URI"], "key", "sign-in"],
    input=started["challenge"], capture_output=True, text=True, check=True,
).stdout.strip()
address = subprocess.run(
    [os.environ["EHR_CLI"], "--dev", "--suri", os.environ["DOCTOR_URI"], "key", "show", "--address"],
    capture_output=True, text=True, check=True,
).stdout.strip()
answer = requests.post(
    BASE + "/auth/authorize",
    data={"login": started["login"], "account": address, "signature": signature, "patient": PATIENT},
    allow_redirects=False,
)
check(answer.status_code == 303, f"sign-in answered {answer.status_code}: {answer.text}")
smart.handle_callback(answer.headers["Location"])
check(smart.patient_id == PATIENT, f"the patient in context: {smart.patient_id}")

# Vital signs, two a page, the rest by the `next` link.
bundle = Observation.where(struct={"category": "vital-signs", "_count": "2"}).perform(smart.server)
seen = [entry.resource for entry in bundle.entry]
check(len(seen) == 2, f"first page: {len(seen)}")
while True:
    following = [link.url for link in (bundle.link or []) if link.relation == "next"]
    if not following:
        break
    bundle = Bundle(smart.server.request_json(following[0]))
    seen.extend(entry.resource for entry in bundle.entry or [])
check(len(seen) >= 3, f"all pages: {len(seen)}")
check(all(isinstance(r, Observation) for r in seen), "every entry is an Observation")
codes = {r.code.coding[0].code for r in seen}
check("8867-4" in codes, f"heart rate among {codes}")

# The document, and the original bytes in it.
document = DocumentReference.read(os.environ["DOCUMENT_ID"], smart.server)
data = base64.b64decode(document.content[0].attachment.data)
check(hashlib.sha256(data).hexdigest() == os.environ["DOCUMENT_SHA256"], "the document's bytes")

# The clinician writes an Observation.
observation = Observation({
    "resourceType": "Observation",
    "status": "final",
    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
    "subject": {"reference": f"Patient/{PATIENT}"},
    "effectiveDateTime": "2026-12-01T09:30:00Z",
    "valueQuantity": {"value": 64, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
})
created = Observation(observation.create(smart.server))
check(created.id is not None, "the created Observation has an id")
print(json.dumps({"created": created.id}))
