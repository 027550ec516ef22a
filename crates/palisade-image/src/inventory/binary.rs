//! Packages compiled into executables: Go build information (`.go.buildinfo`, Go 1.18+ inline
//! format) and Rust dependency lists embedded by cargo-auditable (`.dep-v0`). Only section bytes
//! are read; nothing is executed.

use palisade_vulndb::{Ecosystem, Package};
use std::io::Read;

/// An ELF section by name: its file bytes.
pub fn elf_section<'a>(data: &'a [u8], name: &str) -> Option<&'a [u8]> {
    if data.len() < 0x40 || &data[..4] != b"\x7fELF" {
        return None;
    }
    let is64 = data[4] == 2;
    let le = data[5] == 1;
    let u16_at = |o: usize| -> Option<u64> {
        let b: [u8; 2] = data.get(o..o + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        } as u64)
    };
    let u32_at = |o: usize| -> Option<u64> {
        let b: [u8; 4] = data.get(o..o + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        } as u64)
    };
    let u64_at = |o: usize| -> Option<u64> {
        let b: [u8; 8] = data.get(o..o + 8)?.try_into().ok()?;
        Some(if le {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    };
    let word = |o: usize| if is64 { u64_at(o) } else { u32_at(o) };
    let (shoff, shentsize, shnum, shstrndx) = if is64 {
        (u64_at(0x28)?, u16_at(0x3A)?, u16_at(0x3C)?, u16_at(0x3E)?)
    } else {
        (u32_at(0x20)?, u16_at(0x2E)?, u16_at(0x30)?, u16_at(0x32)?)
    };
    let section = |i: u64| -> Option<(u64, u64, u64)> {
        let base = usize::try_from(shoff.checked_add(i.checked_mul(shentsize)?)?).ok()?;
        let name = u32_at(base)?;
        let (off, size) = if is64 {
            (word(base + 24)?, word(base + 32)?)
        } else {
            (word(base + 16)?, word(base + 20)?)
        };
        Some((name, off, size))
    };
    let bytes = |off: u64, size: u64| -> Option<&'a [u8]> {
        let start = usize::try_from(off).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        data.get(start..end)
    };
    let (_, str_off, str_size) = section(shstrndx)?;
    let strtab = bytes(str_off, str_size)?;
    for i in 0..shnum.min(4096) {
        let Some((n, off, size)) = section(i) else {
            continue;
        };
        let Some(rest) = strtab.get(n as usize..) else {
            continue;
        };
        let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        if &rest[..end] == name.as_bytes() {
            return bytes(off, size);
        }
    }
    None
}

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";

fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut x = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((x, i + 1));
        }
    }
    None
}

/// Go version and module information from a binary (Go 1.18+ inline format).
pub fn go_buildinfo(data: &[u8]) -> Option<(String, String)> {
    let sect = elf_section(data, ".go.buildinfo").or_else(|| {
        // Stripped section tables: the blob is 16-byte aligned somewhere in the file.
        let pos = data.windows(GO_MAGIC.len()).position(|w| w == GO_MAGIC)?;
        data.get(pos..)
    })?;
    if !sect.starts_with(GO_MAGIC) || sect.len() < 32 || sect[15] & 2 == 0 {
        return None;
    }
    let mut rest = &sect[32..];
    let mut read_str = || -> Option<String> {
        let (len, n) = uvarint(rest)?;
        let len = usize::try_from(len).ok()?;
        let s = rest.get(n..n.checked_add(len)?)?;
        rest = &rest[n + len..];
        Some(String::from_utf8_lossy(s).into_owned())
    };
    let version = read_str()?;
    let mut modinfo = read_str()?;
    // The module info is framed by 16-byte sentinels.
    if modinfo.len() >= 33 && modinfo.as_bytes()[modinfo.len() - 17] == b'\n' {
        modinfo = modinfo[16..modinfo.len() - 16].to_string();
    }
    Some((version, modinfo))
}

/// Go modules (and the standard library as `stdlib`) of a Go binary.
pub fn go_packages(version: &str, modinfo: &str) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    if let Some(v) = version.strip_prefix("go") {
        // `go1.22.1 X:boringcrypto` → v1.22.1
        let v = v.split_whitespace().next().unwrap_or(v);
        out.push(Package::new(Ecosystem::Go, "stdlib", format!("v{v}")));
    }
    for line in modinfo.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["mod" | "dep", path, ver, ..] if *ver != "(devel)" && !ver.is_empty() => {
                out.push(Package::new(Ecosystem::Go, *path, *ver));
            }
            ["=>", path, ver, ..] => {
                // Replaces the module on the previous line.
                if let Some(last) = out.last_mut()
                    && last.name != "stdlib"
                {
                    *last = Package::new(Ecosystem::Go, *path, *ver);
                }
            }
            _ => {}
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Auditable {
    packages: Vec<AuditablePackage>,
}

#[derive(serde::Deserialize)]
struct AuditablePackage {
    name: String,
    version: String,
    #[serde(default)]
    source: String,
}

/// crates.io dependencies recorded by cargo-auditable (zlib-compressed JSON in `.dep-v0`).
pub fn auditable_packages(data: &[u8]) -> Vec<Package> {
    let Some(sect) = elf_section(data, ".dep-v0") else {
        return Vec::new();
    };
    let mut json = Vec::new();
    // The section is small; 8 MiB of JSON is far beyond any real dependency tree.
    if flate2::read::ZlibDecoder::new(sect)
        .take(8 << 20)
        .read_to_end(&mut json)
        .is_err()
    {
        return Vec::new();
    }
    let Ok(a) = serde_json::from_slice::<Auditable>(&json) else {
        return Vec::new();
    };
    a.packages
        .into_iter()
        .filter(|p| p.source == "crates.io" || p.source.starts_with("registry"))
        .map(|p| Package::new(Ecosystem::CratesIo, p.name, p.version))
        .collect()
}

/// Everything found in one executable.
pub fn scan(data: &[u8], path: &str) -> Vec<Package> {
    let mut out = match go_buildinfo(data) {
        Some((v, m)) => go_packages(&v, &m),
        None => Vec::new(),
    };
    out.extend(auditable_packages(data));
    for p in &mut out {
        p.file_path = Some(format!("/{path}"));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal little-endian ELF64 file with the given sections (for tests).
    pub fn elf_with_sections(sections: &[(&str, &[u8])]) -> Vec<u8> {
        let mut strtab = vec![0u8];
        let mut names = Vec::new();
        for (n, _) in sections {
            names.push(strtab.len() as u32);
            strtab.extend_from_slice(n.as_bytes());
            strtab.push(0);
        }
        let shstr_name = strtab.len() as u32;
        strtab.extend_from_slice(b".shstrtab\0");
        let mut body = vec![0u8; 0x40];
        let mut offsets = Vec::new();
        for (_, data) in sections {
            offsets.push(body.len() as u64);
            body.extend_from_slice(data);
        }
        let str_off = body.len() as u64;
        body.extend_from_slice(&strtab);
        while !body.len().is_multiple_of(8) {
            body.push(0);
        }
        let shoff = body.len() as u64;
        let mut sh = |name: u32, off: u64, size: u64| {
            let mut e = vec![0u8; 64];
            e[0..4].copy_from_slice(&name.to_le_bytes());
            e[4..8].copy_from_slice(&1u32.to_le_bytes());
            e[24..32].copy_from_slice(&off.to_le_bytes());
            e[32..40].copy_from_slice(&size.to_le_bytes());
            body.extend_from_slice(&e);
        };
        sh(0, 0, 0);
        for (i, (_, data)) in sections.iter().enumerate() {
            sh(names[i], offsets[i], data.len() as u64);
        }
        sh(shstr_name, str_off, strtab.len() as u64);
        body[0..4].copy_from_slice(b"\x7fELF");
        body[4] = 2;
        body[5] = 1;
        body[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
        body[0x3A..0x3C].copy_from_slice(&64u16.to_le_bytes());
        let n = sections.len() as u16 + 2;
        body[0x3C..0x3E].copy_from_slice(&n.to_le_bytes());
        body[0x3E..0x40].copy_from_slice(&(n - 1).to_le_bytes());
        body
    }

    /// A Go 1.18+ `.go.buildinfo` blob.
    pub fn go_buildinfo_blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut b = GO_MAGIC.to_vec();
        b.push(8);
        b.push(2);
        b.resize(32, 0);
        let framed = format!("{}{modinfo}{}", "0".repeat(16), "1".repeat(16));
        for s in [version, framed.as_str()] {
            let mut n = s.len() as u64;
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    b.push(byte);
                    break;
                }
                b.push(byte | 0x80);
            }
            b.extend_from_slice(s.as_bytes());
        }
        b
    }

    #[test]
    fn go_binary_modules() {
        let modinfo = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:x\ndep\tgithub.com/a/b\tv1.0.0\th1:y\n=>\tgithub.com/fork/b\tv1.0.1\th1:z\n";
        let elf = elf_with_sections(&[
            (".text", b"code"),
            (".go.buildinfo", &go_buildinfo_blob("go1.21.3", modinfo)),
        ]);
        let p = scan(&elf, "usr/bin/app");
        let names: Vec<String> = p
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            names,
            [
                "stdlib@v1.21.3",
                "golang.org/x/net@v0.17.0",
                "github.com/fork/b@v1.0.1"
            ]
        );
        assert_eq!(p[1].purl, "pkg:golang/golang.org/x/net@v0.17.0");
        assert_eq!(p[0].file_path.as_deref(), Some("/usr/bin/app"));
    }

    #[test]
    fn cargo_auditable_binary() {
        let json = br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","root":true},{"name":"smallvec","version":"1.6.0","source":"crates.io"}]}"#;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(json).unwrap();
        let elf = elf_with_sections(&[(".dep-v0", &z.finish().unwrap())]);
        let p = scan(&elf, "usr/local/bin/app");
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].ecosystem),
            ("smallvec", Ecosystem::CratesIo)
        );
    }

    #[test]
    fn garbage_is_harmless() {
        assert!(scan(b"\x7fELF garbage", "x").is_empty());
        let mut bad = elf_with_sections(&[(".go.buildinfo", b"short")]);
        bad.truncate(bad.len() - 10);
        assert!(scan(&bad, "x").is_empty());
    }
}
