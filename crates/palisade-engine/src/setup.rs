//! Building an engine from a config the same way at every door (scan, webhook, cluster audit),
//! so a `.palisade.yaml` gives the same verdicts everywhere.

use crate::{Config, Date, Engine, Evaluator};
use palisade_model::LoadError;
use std::path::PathBuf;

/// What a door's command line adds to the config.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `LEVEL[:VERSION]` of the Pod Security Standards; replaces config `pss.profile`.
    pub pss: Option<String>,
    /// Policy files and directories, added to config `policies.paths`.
    pub policies: Vec<PathBuf>,
}

/// An engine and the problems found in the policies it loaded (the other policies still run).
pub struct Setup {
    pub engine: Engine,
    pub policy_errors: Vec<LoadError>,
}

impl Setup {
    /// The built-in catalogue, then the Pod Security Standards and policies the config and
    /// overrides ask for, then `extra` evaluators (e.g. images). `Err` is a usage or
    /// configuration error, worded for the user.
    pub fn new(
        config: &Config,
        overrides: &Overrides,
        extra: Vec<Box<dyn Evaluator>>,
        today: Date,
    ) -> Result<Setup, String> {
        let mut evaluators: Vec<Box<dyn Evaluator>> = Vec::new();
        if let Some(profile) = overrides.pss.as_deref().or(config.pss.profile.as_deref()) {
            evaluators.push(Box::new(crate::pss::Pss::new(profile, &config.pss)?));
        }
        let mut paths: Vec<PathBuf> = config.policies.paths.iter().map(PathBuf::from).collect();
        paths.extend(overrides.policies.iter().cloned());
        let mut policy_errors = Vec::new();
        if !paths.is_empty() {
            let (p, errs) = crate::policy::Policies::load(&paths, &config.policies.severity);
            policy_errors = errs;
            evaluators.push(Box::new(p));
        }
        evaluators.extend(extra);
        let engine = Engine::new(config, evaluators, today).map_err(|e| e.to_string())?;
        Ok(Setup {
            engine,
            policy_errors,
        })
    }
}
