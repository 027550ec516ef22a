//! `palisade webhook`: the admission webhook (validating and mutating) over HTTPS.

use crate::exit;
use palisade_engine::{Config, Overrides};
use palisade_webhook::{
    ConfigSource, NamespaceSource, Options, Prepared, TlsSource, tls::CertFiles,
};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to serve HTTPS on (port 0: any free port).
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// PEM serving certificate (chain); reloaded when the file changes.
    #[arg(long, requires = "tls_key", conflicts_with = "self_signed")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the serving certificate.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Create a CA and a serving certificate for these DNS names or IPs (local development)
    /// and print the CA bundle (PEM) to stdout.
    #[arg(long, value_name = "DNSNAME", num_args = 1..)]
    pub self_signed: Vec<String>,
    /// With --self-signed: also write ca.crt, tls.crt and tls.key to this directory.
    #[arg(long, requires = "self_signed")]
    pub cert_dir: Option<PathBuf>,
    /// Config file, reloaded when it changes (default: `.palisade.yaml` found from the
    /// current directory upward).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any `.palisade.yaml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Add the Pod Security Standards at LEVEL[:VERSION] (default: config `pss.profile`).
    #[arg(long, value_name = "LEVEL[:VERSION]")]
    pub pss: Option<String>,
    /// Gatekeeper / ValidatingAdmissionPolicy files or directories (repeatable; reloaded).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Deny requests with findings at or above SEVERITY; `none` = warn-only (default: config
    /// `webhook.denyOn`, then `failOn`, then high).
    #[arg(long, value_name = "SEVERITY")]
    pub deny_on: Option<String>,
    /// Largest request body accepted (larger ones get HTTP 413).
    #[arg(long, default_value_t = 8 << 20)]
    pub max_body_bytes: usize,
    /// Seconds a request may take end to end; evaluation gets half, then the failure policy
    /// applies.
    #[arg(long, default_value_t = 10)]
    pub request_timeout: u64,
    /// Seconds between checks of the config, policy and certificate files for changes.
    #[arg(long, default_value_t = 2)]
    pub reload_interval: u64,
    /// Where namespace labels (Pod Security levels, policies' namespaceSelectors) come from:
    /// `api` watches Namespaces through the Kubernetes API (config `webhook.namespaces` still
    /// answers for namespaces the API does not know; /readyz waits for the first list);
    /// `config` uses `webhook.namespaces` only; `auto` is `api` inside a cluster
    /// (KUBERNETES_SERVICE_HOST set) or with --kubeconfig, else `config`.
    #[arg(long, value_enum, default_value_t = LabelSource::Auto)]
    pub namespace_labels: LabelSource,
    /// Kubeconfig file for reaching the API from outside a cluster (its current context).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LabelSource {
    Auto,
    Api,
    Config,
}

/// Resolves `--namespace-labels` and `--kubeconfig`; `in_cluster` matters only for `auto`.
fn namespace_source(
    mode: LabelSource,
    kubeconfig: Option<PathBuf>,
    in_cluster: bool,
) -> Result<NamespaceSource, String> {
    match mode {
        LabelSource::Config if kubeconfig.is_some() => Err(
            "--kubeconfig is for reading namespace labels from the API; drop it, or use \
             --namespace-labels api"
                .into(),
        ),
        LabelSource::Config => Ok(NamespaceSource::Config),
        LabelSource::Api => Ok(NamespaceSource::Api { kubeconfig }),
        LabelSource::Auto if kubeconfig.is_some() || in_cluster => {
            Ok(NamespaceSource::Api { kubeconfig })
        }
        LabelSource::Auto => Ok(NamespaceSource::Config),
    }
}

pub fn run(args: Args) -> u8 {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => TlsSource::Files(CertFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ if !args.self_signed.is_empty() => TlsSource::SelfSigned {
            names: args.self_signed.clone(),
            cert_dir: args.cert_dir.clone(),
        },
        _ => {
            eprintln!(
                "error: the webhook serves HTTPS only: give --tls-cert FILE --tls-key FILE, \
                 or --self-signed DNSNAME for local development"
            );
            return exit::USAGE;
        }
    };
    let config = if args.no_config {
        ConfigSource::Defaults
    } else {
        match args
            .config
            .clone()
            .or_else(|| Config::discover(std::path::Path::new(".")))
        {
            Some(p) => ConfigSource::File(p),
            None => ConfigSource::Defaults,
        }
    };
    let namespace_labels = match namespace_source(
        args.namespace_labels,
        args.kubeconfig.clone(),
        palisade_kube::in_cluster(),
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut opts = Options::new(args.listen, tls);
    opts.namespace_labels = namespace_labels.clone();
    opts.config = config;
    opts.overrides = Overrides {
        pss: args.pss,
        policies: args.policies,
    };
    opts.deny_on = args.deny_on;
    opts.max_body_bytes = args.max_body_bytes;
    opts.request_timeout = Duration::from_secs(args.request_timeout.max(1));
    opts.reload_interval = Duration::from_secs(args.reload_interval.max(1));
    let (prepared, generated) = match Prepared::new(opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    for w in prepared.warnings() {
        eprintln!("warning: {w}");
    }
    if let Some(s) = generated {
        print!("{}", s.ca_pem);
        eprintln!(
            "palisade webhook: CA bundle printed above; for the webhook configurations' caBundle use \
             its base64 (e.g. `base64 -w0 ca.crt`)"
        );
    }
    match &namespace_labels {
        NamespaceSource::Config => {
            eprintln!("palisade webhook: namespace labels from the config (webhook.namespaces)")
        }
        NamespaceSource::Api { kubeconfig } => eprintln!(
            "palisade webhook: namespace labels from the Kubernetes API ({}), then the config; \
             ready once namespaces are listed",
            kubeconfig
                .as_ref()
                .map_or("in-cluster".into(), |p| p.display().to_string())
        ),
    }
    let served = prepared.serve(|addr, rules| {
        eprintln!("palisade webhook: listening on https://{addr} ({rules} rules)");
    });
    match served {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_reads_the_api_in_a_cluster_or_with_a_kubeconfig() {
        let kc = || Some(PathBuf::from("kc"));
        let api = |k: Option<PathBuf>| NamespaceSource::Api { kubeconfig: k };
        let src = namespace_source;
        assert_eq!(
            src(LabelSource::Auto, None, false),
            Ok(NamespaceSource::Config)
        );
        assert_eq!(src(LabelSource::Auto, None, true), Ok(api(None)));
        assert_eq!(src(LabelSource::Auto, kc(), false), Ok(api(kc())));
        assert_eq!(src(LabelSource::Api, None, false), Ok(api(None)));
        assert_eq!(
            src(LabelSource::Config, None, true),
            Ok(NamespaceSource::Config)
        );
        assert!(
            src(LabelSource::Config, kc(), false)
                .unwrap_err()
                .contains("--kubeconfig")
        );
    }
}
