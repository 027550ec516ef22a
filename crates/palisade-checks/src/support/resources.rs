//! Container resources (`resources.requests` / `resources.limits`) and Kubernetes quantities.

use crate::support::container_diag;
use crate::support::pod::pod_of;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Container, Diagnostic, Node, Object, Value};

/// A Kubernetes quantity in billionths of the base unit (cores, bytes), exact for every
/// suffix Kubernetes accepts (`n` to `E`, `Ki` to `Ei`, exponents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(pub i128);

const NANO: i128 = 1_000_000_000;

impl Quantity {
    /// Parses the string form (`500m`, `1.5Gi`, `2`, `1e3`). `None` for anything Kubernetes
    /// would reject.
    pub fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (num, suffix) = s.split_at(num_end);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
        // Scale: value = digits * 10^exp10 * 2^exp2.
        let (exp10, exp2): (i32, u32) = match suffix {
            "" => (0, 0),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            "Ki" => (0, 10),
            "Mi" => (0, 20),
            "Gi" => (0, 30),
            "Ti" => (0, 40),
            "Pi" => (0, 50),
            "Ei" => (0, 60),
            e if e.starts_with(['e', 'E']) => (e[1..].parse::<i32>().ok()?, 0),
            _ => return None,
        };
        if exp10.abs() > 30 {
            return None;
        }
        let digits: String = format!("{int_part}{frac_part}");
        let mut v: i128 = if digits.is_empty() {
            0
        } else {
            // Cap the length so the multiplication below cannot overflow.
            if digits.trim_start_matches('0').len() > 24 {
                return None;
            }
            digits.parse().ok()?
        };
        // Nano units: multiply by 10^(9 + exp10 - frac_len).
        let shift = 9 + exp10 - frac_part.len() as i32;
        if shift >= 0 {
            v = v.checked_mul(10i128.checked_pow(shift as u32)?)?;
        } else {
            v /= 10i128.checked_pow((-shift) as u32)?;
        }
        v = v.checked_mul(1i128 << exp2)?;
        Some(Quantity(if neg { -v } else { v }))
    }

    /// Reads a quantity written as a string or a YAML number.
    pub fn of(node: &Node) -> Option<Quantity> {
        match &node.value {
            Value::Str(s) => Quantity::parse(s),
            Value::Int(i) => Some(Quantity(i128::from(*i).checked_mul(NANO)?)),
            Value::Float(f) if f.is_finite() => Quantity::parse(&format!("{f}")),
            _ => None,
        }
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

/// How a resource figure is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Figure<'a> {
    /// Not written, null or an empty string.
    Missing,
    /// Written but not a quantity Kubernetes accepts.
    Invalid(&'a Node),
    Zero(&'a Node),
    Set(&'a Node, Quantity),
}

/// `resources.<section>.<resource>` of a container, e.g. `("limits", "cpu")`.
pub fn figure<'a>(c: &Container<'a>, section: &str, resource: &str) -> Figure<'a> {
    match c.path(&["resources", section, resource]) {
        None => Figure::Missing,
        Some(n) if n.is_null() || n.as_str() == Some("") => Figure::Missing,
        Some(n) => match Quantity::of(n) {
            None => Figure::Invalid(n),
            Some(q) if q.is_zero() => Figure::Zero(n),
            Some(q) => Figure::Set(n, q),
        },
    }
}

/// Human name of a resource for messages.
pub fn resource_label(resource: &str) -> &str {
    match resource {
        "cpu" => "CPU",
        "memory" => "memory",
        "ephemeral-storage" => "ephemeral-storage",
        other => other,
    }
}

/// The request or limit of one resource must be set (and non-zero) on every init and regular
/// container. Ephemeral containers cannot have resources.
pub struct MissingResource {
    pub meta: &'static CheckMeta,
    /// `requests` or `limits`.
    pub section: &'static str,
    pub resource: &'static str,
}

impl Check for MissingResource {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let (label, section) = (resource_label(self.resource), self.section);
        let what = section.trim_end_matches('s');
        let field = ["resources", section, self.resource];
        for c in pod.init_and_regular() {
            let (word, name, resource) = (container_word(&c), c.name, self.resource);
            let message = match figure(&c, section, resource) {
                Figure::Set(..) => continue,
                Figure::Missing => cat!(
                    word,
                    " `",
                    name,
                    "` has no ",
                    label,
                    " ",
                    what,
                    " (resources.",
                    section,
                    ".",
                    resource,
                    ")"
                ),
                Figure::Zero(_) => cat!(
                    word,
                    " `",
                    name,
                    "` sets its ",
                    label,
                    " ",
                    what,
                    " to 0 (resources.",
                    section,
                    ".",
                    resource,
                    ")"
                ),
                Figure::Invalid(n) => format!(
                    "{word} `{name}` sets its {label} {what} to `{}`, which is not a Kubernetes \
                     quantity (resources.{section}.{resource})",
                    n.scalar_text().unwrap_or_else(|| n.type_name().into())
                ),
            };
            out.push(container_diag(&pod, &c, &field, message));
        }
    }
}

/// The request and limit of one resource must be equal (Guaranteed QoS for that resource).
pub struct RequestsEqualLimits {
    pub meta: &'static CheckMeta,
    pub resource: &'static str,
}

impl Check for RequestsEqualLimits {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let label = resource_label(self.resource);
        for c in pod.init_and_regular() {
            let req = figure(&c, "requests", self.resource);
            let lim = figure(&c, "limits", self.resource);
            let (field, problem) = match (req, lim) {
                (Figure::Set(_, a), Figure::Set(_, b)) if a == b => continue,
                (Figure::Set(r, _), Figure::Set(l, _)) => (
                    "requests",
                    format!(
                        "requests {} {label} but is limited to {}",
                        r.scalar_text().unwrap_or_default(),
                        l.scalar_text().unwrap_or_default()
                    ),
                ),
                // An unset request defaults to the limit, which is equal.
                (Figure::Missing, Figure::Set(..)) => continue,
                (_, Figure::Set(..)) => ("requests", format!("has no usable {label} request")),
                (Figure::Missing, _) => ("limits", format!("sets no {label} request or limit")),
                (_, _) => (
                    "limits",
                    format!("has no usable {label} limit to match its request"),
                ),
            };
            out.push(container_diag(
                &pod,
                &c,
                &["resources", field, self.resource],
                format!(
                    "{} `{}` {problem}; requests and limits differ",
                    container_word(&c),
                    c.name
                ),
            ));
        }
    }
}

/// "container" or "init container", for messages.
pub fn container_word(c: &Container) -> &'static str {
    match c.kind {
        palisade_model::ContainerKind::Init => "init container",
        palisade_model::ContainerKind::Regular => "container",
        palisade_model::ContainerKind::Ephemeral => "ephemeral container",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quantities() {
        let q = |s| Quantity::parse(s).map(|q| q.0);
        assert_eq!(q("500m"), Some(500_000_000));
        assert_eq!(q("0.5"), Some(500_000_000));
        assert_eq!(q("1"), Some(NANO));
        assert_eq!(q("1Ki"), Some(1024 * NANO));
        assert_eq!(q("1.5Gi"), Some(3 * (1 << 29) * NANO));
        assert_eq!(q("1e3"), Some(1000 * NANO));
        assert_eq!(q("128M"), Some(128_000_000 * NANO));
        assert_eq!(q("1n"), Some(1));
        assert_eq!(q("0"), Some(0));
        assert_eq!(q(""), None);
        assert_eq!(q("abc"), None);
        assert_eq!(q("1.2.3"), None);
        assert_eq!(q("12Q"), None);
        assert_eq!(q("99999999999999999999999999999999E"), None);
        assert_eq!(Quantity::parse("1Gi"), Quantity::parse("1024Mi"));
        assert_eq!(Quantity::parse("1000m"), Quantity::parse("1"));
        assert_eq!(
            Quantity::of(&Node::from_json(&serde_json::json!(0.25))),
            Quantity::parse("250m")
        );
        assert_eq!(
            Quantity::of(&Node::from_json(&serde_json::json!(2))),
            Quantity::parse("2000m")
        );
    }
}
