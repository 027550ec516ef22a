{{/* Object names: RELEASE-webhook unless overridden. */}}
{{- define "palisade.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-webhook" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "palisade.selectorLabels" -}}
app.kubernetes.io/name: palisade
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "palisade.labels" -}}
{{ include "palisade.selectorLabels" . }}
app.kubernetes.io/part-of: palisade
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "palisade.image" -}}
{{- $i := .Values.image -}}
{{- if $i.digest -}}
{{- printf "%s:%s@%s" $i.repository $i.tag $i.digest -}}
{{- else -}}
{{- printf "%s:%s" $i.repository $i.tag -}}
{{- end -}}
{{- end -}}

{{- define "palisade.tlsSecret" -}}
{{- .Values.tls.secretName | default (printf "%s-tls" (include "palisade.fullname" .)) -}}
{{- end -}}

{{- define "palisade.policiesConfigMap" -}}
{{- .Values.existingPoliciesConfigMap | default (printf "%s-policies" (include "palisade.fullname" .)) -}}
{{- end -}}

{{/* Shared by both webhook configurations. */}}
{{- define "palisade.webhookCommon" -}}
admissionReviewVersions: ["v1"]
sideEffects: None
failurePolicy: {{ .Values.webhook.failurePolicy }}
matchPolicy: Equivalent
timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
namespaceSelector:
  matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: {{ concat .Values.webhook.excludeNamespaces (list .Release.Namespace) | uniq | toJson }}
    {{- with .Values.webhook.extraNamespaceSelectorExpressions }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{- define "palisade.clientConfig" -}}
clientConfig:
  {{- if and (not .root.Values.certManager.enabled) .root.Values.tls.caBundle }}
  caBundle: {{ .root.Values.tls.caBundle }}
  {{- end }}
  service:
    name: {{ include "palisade.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    path: {{ .path }}
    port: 443
{{- end -}}

{{/* The Certificate whose CA the cert-manager cainjector copies into the webhook configurations. */}}
{{- define "palisade.injectCaFrom" -}}
{{- printf "%s/%s" .Release.Namespace (include "palisade.fullname" .) -}}
{{- end -}}
