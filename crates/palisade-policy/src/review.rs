//! The object under review and the admission request around it, shared by both policy kinds.

use palisade_model::{Node, Object, Pos};
use serde_json::{Value as J, json};

/// An AdmissionReview-like request. `palisade scan` reviews every object as a CREATE with no user;
/// the webhook and `policy test` fill in the rest.
#[derive(Clone, Debug, Default)]
pub struct AdmissionRequest {
    /// CREATE, UPDATE, DELETE or CONNECT; empty means CREATE.
    pub operation: String,
    pub old_object: Option<Node>,
    /// `userInfo` as the API server sends it (`username`, `uid`, `groups`, `extra`).
    pub user_info: Option<J>,
    pub dry_run: bool,
    /// Any other request fields (`uid`, `resource`, `subResource`, `options`...), kept as given.
    pub extra: serde_json::Map<String, J>,
}

impl AdmissionRequest {
    /// Reads `request` of an AdmissionReview (or the request itself). Returns the object and
    /// the request.
    pub fn from_review(review: &J) -> (Option<Node>, AdmissionRequest) {
        let req = review.get("request").unwrap_or(review);
        let object = req
            .get("object")
            .filter(|v| !v.is_null())
            .map(Node::from_json);
        (object, AdmissionRequest::from_request(req))
    }

    /// Everything of an AdmissionReview's `request` but its `object`, which callers read their
    /// own way (the webhook checks it as a document).
    pub fn from_request(req: &J) -> AdmissionRequest {
        let mut out = AdmissionRequest::default();
        if let Some(m) = req.as_object() {
            for (k, v) in m {
                match k.as_str() {
                    "operation" => out.operation = v.as_str().unwrap_or("").to_string(),
                    "oldObject" if !v.is_null() => out.old_object = Some(Node::from_json(v)),
                    "userInfo" => out.user_info = Some(v.clone()),
                    "dryRun" => out.dry_run = v.as_bool().unwrap_or(false),
                    "object" | "oldObject" => {}
                    _ => {
                        out.extra.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        out
    }
}

/// Group, version and kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn of(node: &Node) -> Gvk {
        let api = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let (group, version) = match api.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api.to_string()),
        };
        Gvk {
            group,
            version,
            kind: node
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
        }
    }
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// One review: the object (absent for DELETE), the request, and where findings point.
#[derive(Clone, Debug)]
pub struct Review<'a> {
    pub object: Option<&'a Node>,
    pub request: &'a AdmissionRequest,
    pub gvk: Gvk,
    pub name: String,
    /// The namespace as the API server would see it (`default` for namespaced kinds without one).
    pub namespace: String,
    pub pos: Pos,
}

impl<'a> Review<'a> {
    /// A review of a scanned object.
    pub fn of_object(obj: &'a Object, request: &'a AdmissionRequest) -> Review<'a> {
        Review {
            object: Some(&obj.root),
            request,
            gvk: Gvk::of(&obj.root),
            name: obj.name().to_string(),
            namespace: obj.effective_namespace().unwrap_or("").to_string(),
            pos: obj.pos(),
        }
    }

    /// A review built from a request (object, or oldObject for DELETE).
    pub fn of_request(object: Option<&'a Node>, request: &'a AdmissionRequest) -> Review<'a> {
        let subject = object.or(request.old_object.as_ref());
        let gvk = match request.extra.get("kind") {
            Some(k) if k.get("kind").is_some() => Gvk {
                group: str_of(k, "group"),
                version: str_of(k, "version"),
                kind: str_of(k, "kind"),
            },
            _ => subject.map(Gvk::of).unwrap_or_default(),
        };
        let meta = |f: &str| {
            subject
                .and_then(|s| s.path(&["metadata", f]))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let name = request
            .extra
            .get("name")
            .and_then(J::as_str)
            .map(str::to_string)
            .or_else(|| meta("name"))
            .unwrap_or_default();
        let namespace = request
            .extra
            .get("namespace")
            .and_then(J::as_str)
            .map(str::to_string)
            .or_else(|| meta("namespace"))
            .unwrap_or_else(|| {
                if palisade_model::kinds::is_cluster_scoped(&gvk.kind) {
                    String::new()
                } else {
                    "default".into()
                }
            });
        Review {
            object,
            request,
            gvk,
            name,
            namespace,
            pos: subject.map(|s| s.key_pos("kind")).unwrap_or_default(),
        }
    }

    pub fn operation(&self) -> &str {
        if self.request.operation.is_empty() {
            "CREATE"
        } else {
            &self.request.operation
        }
    }

    /// The object the match rules look at: the object, or the old one when it is deleted.
    pub fn subject(&self) -> Option<&'a Node> {
        self.object.or(self.request.old_object.as_ref())
    }

    /// The AdmissionRequest as JSON (what Gatekeeper puts in `input.review` and VAP in `request`).
    pub fn request_json(&self, with_objects: bool) -> J {
        let mut m = self.request.extra.clone();
        m.insert(
            "kind".into(),
            json!({"group": self.gvk.group, "version": self.gvk.version, "kind": self.gvk.kind}),
        );
        m.insert("name".into(), J::String(self.name.clone()));
        m.insert("namespace".into(), J::String(self.namespace.clone()));
        m.insert("operation".into(), J::String(self.operation().to_string()));
        m.insert("dryRun".into(), J::Bool(self.request.dry_run));
        if let Some(u) = &self.request.user_info {
            m.insert("userInfo".into(), u.clone());
        }
        if with_objects {
            if let Some(o) = self.object {
                m.insert("object".into(), o.to_json());
            }
            if let Some(o) = &self.request.old_object {
                m.insert("oldObject".into(), o.to_json());
            }
        }
        J::Object(m)
    }
}

fn str_of(v: &J, k: &str) -> String {
    v.get(k).and_then(J::as_str).unwrap_or("").to_string()
}
