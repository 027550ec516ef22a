//! Serving certificates: read from PEM files and swapped in when the files change (cert-manager
//! rotates them in a mounted Secret), or made on the spot for local development.

use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Builds a certified key from PEM text; errors say which file and what is wrong.
pub fn certified_key(
    cert_pem: &[u8],
    key_pem: &[u8],
    cert_name: &str,
    key_name: &str,
) -> Result<CertifiedKey, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{cert_name}: not a PEM certificate chain: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{cert_name}: no CERTIFICATE block found"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| format!("{key_name}: not a PEM private key: {e}"))?;
    let key = any_supported_type(&key)
        .map_err(|e| format!("{key_name}: unsupported private key: {e}"))?;
    let ck = CertifiedKey::new(certs, key);
    ck.keys_match()
        .map_err(|e| format!("{key_name} does not belong to {cert_name}: {e}"))?;
    Ok(ck)
}

/// PEM files on disk.
#[derive(Clone, Debug)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertFiles {
    /// Reads both files; also returns their bytes so a caller can tell when they changed.
    pub fn load(&self) -> Result<(CertifiedKey, Vec<u8>), String> {
        let read =
            |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
        let (cert, key) = (read(&self.cert)?, read(&self.key)?);
        let ck = certified_key(
            &cert,
            &key,
            &self.cert.display().to_string(),
            &self.key.display().to_string(),
        )?;
        let mut stamp = cert;
        stamp.extend_from_slice(&key);
        Ok((ck, stamp))
    }
}

/// Hands rustls whatever certificate is current; `set` swaps it without a restart, so
/// connections being set up keep the one they started with.
#[derive(Debug)]
pub struct Resolver {
    current: RwLock<Arc<CertifiedKey>>,
}

impl Resolver {
    pub fn new(ck: CertifiedKey) -> Self {
        Resolver {
            current: RwLock::new(Arc::new(ck)),
        }
    }
    pub fn set(&self, ck: CertifiedKey) {
        if let Ok(mut g) = self.current.write() {
            *g = Arc::new(ck);
        }
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|g| Arc::clone(&g))
    }
}

/// TLS 1.2 and 1.3 with the ring provider (the workspace's one crypto provider); HTTP/2 and 1.1.
pub fn server_config(resolver: Arc<Resolver>) -> Result<rustls::ServerConfig, String> {
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS set-up: {e}"))?
    .with_no_client_auth()
    .with_cert_resolver(resolver);
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

/// A development CA and a serving certificate it signed.
pub struct SelfSigned {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

impl SelfSigned {
    /// For `names` (DNS names or IP addresses), valid for a year.
    pub fn generate(names: &[String]) -> Result<SelfSigned, String> {
        use rcgen::{
            BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let err = |e: rcgen::Error| format!("cannot create a certificate: {e}");
        let now = time::OffsetDateTime::now_utc();
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "palisade webhook development CA");
        ca.distinguished_name = dn;
        ca.not_before = now - time::Duration::hours(1);
        ca.not_after = now + time::Duration::days(365);
        let ca_key = KeyPair::generate().map_err(err)?;
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);

        let mut leaf = CertificateParams::new(names.to_vec()).map_err(err)?;
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            names.first().map(String::as_str).unwrap_or("palisade"),
        );
        leaf.distinguished_name = dn;
        leaf.not_before = now - time::Duration::hours(1);
        leaf.not_after = now + time::Duration::days(365);
        leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate().map_err(err)?;
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(err)?;
        Ok(SelfSigned {
            ca_pem: ca_cert.pem(),
            cert_pem: leaf_cert.pem(),
            key_pem: leaf_key.serialize_pem(),
        })
    }

    /// Writes `ca.crt`, `tls.crt` and `tls.key` (the names of a Kubernetes TLS Secret).
    pub fn write(&self, dir: &Path) -> Result<CertFiles, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            Ok::<_, String>(p)
        };
        write("ca.crt", &self.ca_pem)?;
        Ok(CertFiles {
            cert: write("tls.crt", &self.cert_pem)?,
            key: write("tls.key", &self.key_pem)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_certificates_load_and_keys_match() {
        let s = SelfSigned::generate(&["localhost".into(), "127.0.0.1".into()]).unwrap();
        assert!(s.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        certified_key(
            s.cert_pem.as_bytes(),
            s.key_pem.as_bytes(),
            "tls.crt",
            "tls.key",
        )
        .unwrap();
    }

    #[test]
    fn mismatched_or_garbage_files_are_named() {
        let a = SelfSigned::generate(&["a".into()]).unwrap();
        let b = SelfSigned::generate(&["b".into()]).unwrap();
        let e = certified_key(
            a.cert_pem.as_bytes(),
            b.key_pem.as_bytes(),
            "tls.crt",
            "tls.key",
        )
        .unwrap_err();
        assert!(e.contains("does not belong"), "{e}");
        let e = certified_key(b"hello", a.key_pem.as_bytes(), "x.crt", "x.key").unwrap_err();
        assert!(e.contains("x.crt"), "{e}");
        let e = certified_key(a.cert_pem.as_bytes(), b"nope", "x.crt", "x.key").unwrap_err();
        assert!(e.contains("x.key"), "{e}");
    }
}
