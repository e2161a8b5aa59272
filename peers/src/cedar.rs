//! Cedar: the policy set of encodings/admission.cedar, one request per application (the
//! application as its context; no entities), and the determining policies read back as
//! the fired rules.

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicyId, PolicySet, Request, Response};

use crate::{most_severe, rank_of, Application, Rank, Verdict, OUTCOMES};

pub const POLICIES: &str = include_str!("../encodings/admission.cedar");

pub struct Cedar {
    pub policies: PolicySet,
    pub entities: Entities,
    authorizer: Authorizer,
    principal: EntityUid,
    action: EntityUid,
    resource: EntityUid,
    /// Each policy's conclusion (its `@outcome`), looked up by the determining policies.
    ranks: HashMap<PolicyId, Option<Rank>>,
}

impl Cedar {
    pub fn new() -> Cedar {
        Cedar::from_text(POLICIES)
    }

    /// A policy set in the form of encodings/admission.cedar (`@id`, `@outcome`).
    pub fn from_text(text: &str) -> Cedar {
        let parsed = PolicySet::from_str(text).expect("the Cedar policies parse");
        // Cedar numbers the policies of a text itself; each takes its rule's name as its id,
        // so that the determining policies name the rules.
        let mut policies = PolicySet::new();
        let mut ranks = HashMap::new();
        for p in parsed.policies() {
            let id = PolicyId::new(p.annotation("id").expect("every policy has an @id"));
            ranks.insert(id.clone(), p.annotation("outcome").map(|o| rank_of(o).expect("a conclusion")));
            policies.add(p.new_id(id)).expect("ids are distinct");
        }
        let uid = |s: &str| EntityUid::from_str(s).expect("an entity uid");
        Cedar {
            policies,
            entities: Entities::empty(),
            authorizer: Authorizer::new(),
            principal: uid(r#"Office::"街道""#),
            action: uid(r#"Action::"准入""#),
            resource: uid(r#"Application::"申请""#),
            ranks,
        }
    }

    /// The request for an application, its context read from Cedar's JSON.
    pub fn request(&self, context_json: &str) -> Request {
        let context = Context::from_json_str(context_json, None).expect("the context reads");
        Request::new(self.principal.clone(), self.action.clone(), self.resource.clone(), context, None)
            .expect("the request is valid")
    }

    pub fn request_for(&self, app: &Application) -> Request {
        self.request(&app.cedar_json())
    }

    pub fn authorize(&self, request: &Request) -> Response {
        self.authorizer.is_authorized(request, &self.policies, &self.entities)
    }

    /// The conclusion alone (what the benchmark times beside the engine's own work).
    pub fn outcome(&self, response: &Response) -> Rank {
        most_severe(response.diagnostics().reason().map(|id| self.ranks[id]))
    }

    /// From JSON text: the context read, the request built, authorised, concluded.
    pub fn decide_json(&self, context_json: &str) -> Rank {
        self.outcome(&self.authorize(&self.request(context_json)))
    }

    pub fn verdict(&self, response: &Response) -> Verdict {
        let errors: Vec<String> = response.diagnostics().errors().map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "Cedar's policies failed: {errors:?}");
        Verdict {
            outcome: OUTCOMES[self.outcome(response) as usize],
            fired: response.diagnostics().reason().map(|id| id.to_string()).collect(),
        }
    }
}

impl Default for Cedar {
    fn default() -> Self {
        Cedar::new()
    }
}
