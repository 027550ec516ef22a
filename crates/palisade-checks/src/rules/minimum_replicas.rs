use crate::support::workloads::{describe, field_diag, hpas_for, replicas};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct MinimumReplicas;

pub static CHECK: &dyn Check = &MinimumReplicas;

static META: CheckMeta = CheckMeta {
    id: "minimum-replicas",
    title: "Replicated workloads should run more than one replica",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "With a single replica every node drain, eviction, crash or rollout is an \
        outage. Several replicas (spread over nodes) keep the service up through them.",
    remediation: "Set `spec.replicas` to at least `min_replicas`, or let a \
        HorizontalPodAutoscaler with `minReplicas` of at least that manage the count.",
    references: &["https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"],
    params: &[Param {
        name: "min_replicas",
        description: "Smallest acceptable replica count (kube-linter's minimum-three-replicas uses 3).",
        default: "2",
    }],
    aliases: &[
        "polaris:deploymentMissingReplicas",
        "kube-linter:minimum-three-replicas",
        "kube-score:deployment-replicas",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Workloads targeted by a HorizontalPodAutoscaler in the scanned set are \
        skipped (the HPA owns the count; see hpa-min-replicas). An HPA outside the scanned set \
        cannot be seen, so such workloads are judged by `spec.replicas`.",
};

impl Check for MinimumReplicas {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some((count, written)) = replicas(obj) else {
            return;
        };
        let min = ctx.param_i64("min_replicas").unwrap_or(2);
        if count >= min || !hpas_for(ctx.index, obj).is_empty() {
            return;
        }
        let how = if written {
            format!("sets {count} replica(s)")
        } else {
            "does not set spec.replicas, so it runs 1 replica".to_string()
        };
        out.push(field_diag(
            obj,
            &["spec", "replicas"],
            format!("{} {how}; at least {min} are required", describe(obj)),
        ));
    }
}
