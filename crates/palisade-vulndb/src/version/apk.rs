//! Alpine apk version order: a port of apk-tools' `apk_version_compare` (src/version.c).

use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tok {
    Invalid = -1,
    DigitOrZero = 0,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    RevisionNo,
    End,
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

struct Lexer<'a> {
    s: &'a [u8],
    ty: Tok,
}

impl Lexer<'_> {
    /// Decides the type of the token that follows the separator at the cursor.
    fn next_token(&mut self) {
        let mut n = Tok::Invalid;
        match self.s.first() {
            None | Some(0) => n = Tok::End,
            Some(&c) => {
                if matches!(self.ty, Tok::Digit | Tok::DigitOrZero) && c.is_ascii_lowercase() {
                    n = Tok::Letter;
                } else if self.ty == Tok::Letter && c.is_ascii_digit() {
                    n = Tok::Digit;
                } else if self.ty == Tok::Suffix && c.is_ascii_digit() {
                    n = Tok::SuffixNo;
                } else {
                    match c {
                        b'.' => n = Tok::DigitOrZero,
                        b'_' => n = Tok::Suffix,
                        b'-' if self.s.get(1) == Some(&b'r') => {
                            n = Tok::RevisionNo;
                            self.s = &self.s[1..];
                        }
                        _ => {}
                    }
                    self.s = &self.s[1..];
                }
            }
        }
        if n < self.ty
            && !((n == Tok::DigitOrZero && self.ty == Tok::Digit)
                || (n == Tok::Suffix && self.ty == Tok::SuffixNo)
                || (n == Tok::Digit && self.ty == Tok::Letter))
        {
            n = Tok::Invalid;
        }
        self.ty = n;
    }

    /// Reads the value of the current token and advances to the next one.
    fn get_token(&mut self) -> i64 {
        if self.s.is_empty() {
            self.ty = Tok::End;
            return 0;
        }
        let mut v: i64 = 0;
        let mut i = 0usize;
        let mut nt = Tok::Invalid;
        let digits = |s: &[u8], i: &mut usize, v: &mut i64| {
            while *i < s.len() && s[*i].is_ascii_digit() {
                *v = v.saturating_mul(10).saturating_add(i64::from(s[*i] - b'0'));
                *i += 1;
            }
        };
        match self.ty {
            Tok::DigitOrZero if self.s[0] == b'0' => {
                // Leading zeros make a component sort before any without them.
                while i < self.s.len() && self.s[i] == b'0' {
                    i += 1;
                }
                nt = Tok::Digit;
                v = -(i as i64);
            }
            Tok::DigitOrZero | Tok::Digit | Tok::SuffixNo | Tok::RevisionNo => {
                digits(self.s, &mut i, &mut v)
            }
            Tok::Letter => {
                v = i64::from(self.s[0]);
                i = 1;
            }
            Tok::Suffix => {
                if let Some(idx) = PRE_SUFFIXES
                    .iter()
                    .position(|p| self.s.starts_with(p.as_bytes()))
                {
                    i = PRE_SUFFIXES[idx].len();
                    v = idx as i64 - PRE_SUFFIXES.len() as i64;
                } else if let Some(idx) = POST_SUFFIXES
                    .iter()
                    .position(|p| self.s.starts_with(p.as_bytes()))
                {
                    i = POST_SUFFIXES[idx].len();
                    v = idx as i64;
                } else {
                    self.ty = Tok::Invalid;
                    return -1;
                }
            }
            Tok::Invalid | Tok::End => {
                self.ty = Tok::Invalid;
                return -1;
            }
        }
        self.s = &self.s[i..];
        if self.s.is_empty() {
            self.ty = Tok::End;
        } else if nt != Tok::Invalid {
            self.ty = nt;
        } else {
            self.next_token();
        }
        v
    }
}

/// True when apk-tools accepts the string as a version.
pub fn valid(v: &str) -> bool {
    let mut l = Lexer {
        s: v.as_bytes(),
        ty: Tok::Digit,
    };
    if v.is_empty() {
        return false;
    }
    while l.ty != Tok::End && l.ty != Tok::Invalid {
        l.get_token();
    }
    l.ty == Tok::End
}

/// Compares two apk versions the way `apk version -t` does.
pub fn compare(a: &str, b: &str) -> Ordering {
    let mut la = Lexer {
        s: a.as_bytes(),
        ty: Tok::Digit,
    };
    let mut lb = Lexer {
        s: b.as_bytes(),
        ty: Tok::Digit,
    };
    let (mut av, mut bv) = (0, 0);
    while la.ty == lb.ty && la.ty != Tok::End && la.ty != Tok::Invalid && av == bv {
        av = la.get_token();
        bv = lb.get_token();
    }
    if av != bv {
        return av.cmp(&bv);
    }
    if la.ty == lb.ty {
        return Ordering::Equal;
    }
    // Equal so far: the longer version is greater unless it continues with a pre-release suffix.
    if la.ty == Tok::Suffix {
        let mut t = Lexer { s: la.s, ty: la.ty };
        if t.get_token() < 0 {
            return Ordering::Less;
        }
    }
    if lb.ty == Tok::Suffix {
        let mut t = Lexer { s: lb.s, ty: lb.ty };
        if t.get_token() < 0 {
            return Ordering::Greater;
        }
    }
    lb.ty.cmp(&la.ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn apk_order() {
        // Pairs checked against `apk version -t` semantics (apk-tools test/version.data).
        let cases = [
            ("1.2.3-r0", "1.2.3-r1", Less),
            ("1.2.3-r10", "1.2.3-r9", Greater),
            ("1.2.3", "1.2.3-r0", Less),
            ("1.2.3_rc1", "1.2.3", Less),
            ("1.2.3_alpha", "1.2.3_beta", Less),
            ("1.2.3_beta2", "1.2.3_pre1", Less),
            ("1.2.3_pre1", "1.2.3_rc1", Less),
            ("1.2.3_p1", "1.2.3", Greater),
            ("1.2.3_p1-r0", "1.2.3-r5", Greater),
            ("1.2.3a", "1.2.3", Greater),
            ("1.2.3a", "1.2.3b", Less),
            ("1.2.3b", "1.2.4", Less),
            ("1.10", "1.9", Greater),
            ("1.01", "1.1", Less),
            ("1.0", "1", Greater),
            ("2.0", "2.0", Equal),
            ("3.0.13-r0", "3.0.13-r0", Equal),
            ("1.2.3_git20200101", "1.2.3", Greater),
            ("1.2.3_rc1", "1.2.2", Greater),
            ("1.36.1-r29", "1.36.1-r30", Less),
            ("1.0_alpha1", "1.0_alpha2", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn apk_validity() {
        for v in [
            "1.2.3-r0",
            "3.20.0",
            "1.0_alpha1",
            "2.4.1_p20231010-r2",
            "1.2.3a",
        ] {
            assert!(valid(v), "{v}");
        }
        for v in ["", "abc", "1.2.3-x", "1.2.3_foo", "1.2-", "0.9.8za"] {
            assert!(!valid(v), "{v}");
        }
    }
}
