//! Maven version order: a port of Maven's `ComparableVersion` (maven-artifact 3.9).

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits with leading zeros stripped; compared by length then lexically (no overflow).
    Int(String),
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let v = match value {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        v => v,
    };
    Item::Str(v.to_string())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit {
        let t = buf.trim_start_matches('0');
        Item::Int(t.to_string())
    } else {
        string_item(buf, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(v) => v.is_empty(),
            Item::Str(v) => comparable_qualifier(v) == RELEASE_INDEX,
            Item::List(l) => l.is_empty(),
        }
    }

    fn cmp_item(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(v), None) => {
                if v.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(v), None) => comparable_qualifier(v).as_str().cmp(RELEASE_INDEX),
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => {
                comparable_qualifier(a).cmp(&comparable_qualifier(b))
            }
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.cmp_item(None))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => {
                let n = a.len().max(b.len());
                for i in 0..n {
                    let r = match (a.get(i), b.get(i)) {
                        (None, None) => Ordering::Equal,
                        (None, Some(r)) => r.cmp_item(None).reverse(),
                        (Some(l), r) => l.cmp_item(r),
                    };
                    if r.is_ne() {
                        return r;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

/// Removes trailing null items (0, "", empty lists), skipping over non-null lists, up to the
/// last non-list item, as `ListItem.normalize` does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// A parsed Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion(Vec<Item>);

impl MavenVersion {
    pub fn parse(version: &str) -> MavenVersion {
        let version = version.to_lowercase();
        let v = version.as_bytes();
        // A stack of open lists; each new list is a child of the one below it.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0usize;
        let push_list = |stack: &mut Vec<Vec<Item>>| stack.push(Vec::new());
        let top = |stack: &mut Vec<Vec<Item>>| -> usize { stack.len() - 1 };
        for i in 0..v.len() {
            let c = v[i];
            if c == b'.' || c == b'-' {
                let t = top(&mut stack);
                if i == start {
                    stack[t].push(Item::Int(String::new()));
                } else {
                    stack[t].push(parse_item(is_digit, &version[start..i]));
                }
                start = i + 1;
                if c == b'-' {
                    push_list(&mut stack);
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // `.X1` is treated like `-X1`: the qualifier opens a sub-list.
                    let t = top(&mut stack);
                    if !stack[t].is_empty() {
                        push_list(&mut stack);
                    }
                    let t = top(&mut stack);
                    stack[t].push(string_item(&version[start..i], true));
                    start = i;
                    push_list(&mut stack);
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    let t = top(&mut stack);
                    stack[t].push(parse_item(true, &version[start..i]));
                    start = i;
                    push_list(&mut stack);
                }
                is_digit = false;
            }
        }
        if v.len() > start {
            let t = top(&mut stack);
            if !is_digit && !stack[t].is_empty() {
                push_list(&mut stack);
            }
            let t = top(&mut stack);
            stack[t].push(parse_item(is_digit, &version[start..]));
        }
        // Close the lists innermost first, normalizing each, and nest it in its parent.
        while stack.len() > 1 {
            let mut l = stack.pop().unwrap_or_default();
            normalize(&mut l);
            if let Some(parent) = stack.last_mut() {
                parent.push(Item::List(l));
            }
        }
        let mut root = stack.pop().unwrap_or_default();
        normalize(&mut root);
        MavenVersion(root)
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        Item::List(self.0.clone()).cmp_item(Some(&Item::List(other.0.clone())))
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        MavenVersion::parse(a).cmp(&MavenVersion::parse(b))
    }

    fn increasing(list: &[&str]) {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                assert_eq!(cmp(a, b), Ordering::Less, "{a} < {b}");
                assert_eq!(cmp(b, a), Ordering::Greater, "{b} > {a}");
            }
        }
    }

    #[test]
    fn qualifiers_in_order() {
        // From maven-artifact's ComparableVersionTest.
        increasing(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    #[test]
    fn numbers_in_order() {
        increasing(&[
            "2.0", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn equalities() {
        for group in [
            &[
                "1",
                "1.0",
                "1.0.0",
                "1-0",
                "1.0-0",
                "1ga",
                "1.ga",
                "1-ga",
                "1final",
                "1-release",
            ][..],
            &["1cr", "1rc", "1-rc"],
            &["1a1", "1-alpha-1", "1alpha1", "1-a1"],
            &["1b2", "1-beta-2", "1beta2"],
            &["1x", "1-x"],
            &["2.14.1", "2.14.01"],
        ] {
            for a in group {
                for b in group {
                    assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
                }
            }
        }
    }

    #[test]
    fn log4j_like_ranges() {
        assert_eq!(cmp("2.14.1", "2.15.0"), Ordering::Less);
        assert_eq!(cmp("2.15.0-rc1", "2.15.0"), Ordering::Less);
        assert_eq!(cmp("2.0-beta9", "2.0"), Ordering::Less);
        assert_eq!(cmp("1.2.17", "2.0-alpha1"), Ordering::Less);
        assert_eq!(cmp("5.3.18.RELEASE", "5.3.18"), Ordering::Equal);
        assert_eq!(
            cmp("9999999999999999999999.1", "9999999999999999999998.1"),
            Ordering::Greater
        );
    }
}
