{{/* Names, labels and the pieces shared by every pod of the release. */}}

{{- define "asr.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "asr.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (default .Chart.Name .Values.nameOverride) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (default .Chart.Name .Values.nameOverride) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "asr.labels" -}}
app.kubernetes.io/name: {{ include "asr.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "asr.selectorLabels" -}}
app.kubernetes.io/name: {{ include "asr.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "asr.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "asr.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "asr.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "asr.claimName" -}}
{{- default (printf "%s-data" (include "asr.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}

{{- define "asr.natsUrl" -}}
{{- if .Values.nats.embedded.enabled -}}
nats://{{ include "asr.fullname" . }}-nats:4222
{{- else -}}
{{- required "nats.url is required when nats.embedded.enabled is false" .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{/* The restricted pod-level security context (Pod Security "restricted"). */}}
{{- define "asr.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end -}}

{{/* Environment of every service container: the database and the NATS credentials. */}}
{{- define "asr.env" -}}
{{- $db := .Values.database -}}
{{- if eq $db.type "postgresql" }}
{{- if $db.urlSecret.name }}
- name: ASR_DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ $db.urlSecret.name | quote }}, key: {{ $db.urlSecret.key | quote }}}
{{- else if and (not $db.url) $db.host }}
- name: ASR_DATABASE_URL
  value: {{ printf "postgresql://%s@%s:%d/%s?sslmode=%s" $db.user $db.host (int $db.port) $db.name $db.sslmode | quote }}
{{- end }}
{{- if and (not $db.url) (not $db.urlSecret.name) $db.passwordSecret.name }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $db.passwordSecret.name | quote }}, key: {{ $db.passwordSecret.key | quote }}}
{{- end }}
{{- end }}
{{- if .Values.nats.passwordSecret.name }}
- name: ASR_NATS_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ .Values.nats.passwordSecret.name | quote }}, key: {{ .Values.nats.passwordSecret.key | quote }}}
{{- end }}
{{- end -}}

{{/* envFrom of every service container. */}}
{{- define "asr.envFrom" -}}
- configMapRef:
    name: {{ include "asr.fullname" . }}-config
- secretRef:
    name: {{ include "asr.fullname" . }}-secrets
{{- if .Values.existingSecret }}
- secretRef:
    name: {{ .Values.existingSecret | quote }}
{{- end }}
{{- end -}}

{{/* Volumes of every service pod. */}}
{{- define "asr.volumes" -}}
- name: data
  {{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "asr.claimName" . }}
  {{- else }}
  emptyDir: {}
  {{- end }}
- name: tmp
  emptyDir: {}
- name: models
  {{- if .Values.models.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.models.existingClaim | quote }}
  {{- else }}
  emptyDir:
    sizeLimit: {{ .Values.models.install.sizeLimit }}
  {{- end }}
{{- range $i, $m := .Values.models.operator }}
- name: {{ printf "operator-model-%d" $i }}
  persistentVolumeClaim:
    claimName: {{ $m.claimName | quote }}
    readOnly: true
{{- end }}
{{- with .Values.nats.credentialsSecret.name }}
- name: nats-creds
  secret: {secretName: {{ . | quote }}, defaultMode: 0400}
{{- end }}
{{- with .Values.nats.nkeySecret.name }}
- name: nats-nkey
  secret: {secretName: {{ . | quote }}, defaultMode: 0400}
{{- end }}
{{- if .Values.nats.tls.enabled }}
- name: nats-tls
  secret: {secretName: {{ required "nats.tls.secretName is required with nats.tls.enabled" .Values.nats.tls.secretName | quote }}, defaultMode: 0400}
{{- end }}
{{- end -}}

{{/* Volume mounts of every service container. */}}
{{- define "asr.volumeMounts" -}}
- name: data
  mountPath: {{ .Values.persistence.mountPath }}
- name: tmp
  mountPath: /tmp
- name: models
  mountPath: /models
  readOnly: true
{{- range $i, $m := .Values.models.operator }}
- name: {{ printf "operator-model-%d" $i }}
  mountPath: {{ default (printf "/operator-models/%s" $m.name) $m.mountPath | quote }}
  {{- with $m.subPath }}
  subPath: {{ . | quote }}
  {{- end }}
  readOnly: true
{{- end }}
{{- if .Values.nats.credentialsSecret.name }}
- name: nats-creds
  mountPath: /etc/asr/nats/creds
  readOnly: true
{{- end }}
{{- if .Values.nats.nkeySecret.name }}
- name: nats-nkey
  mountPath: /etc/asr/nats/nkey
  readOnly: true
{{- end }}
{{- if .Values.nats.tls.enabled }}
- name: nats-tls
  mountPath: /etc/asr/nats/tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* The models init container: assembles and verifies the models into the models volume. */}}
{{- define "asr.modelsInit" -}}
{{- if .Values.models.install.enabled }}
- name: models
  image: {{ include "asr.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  # The image's models (assembled and verified at build) are copied into the volume, then
  # `asr-service models install` verifies every file (size + sha256) and assembles what is missing.
  command: ["/bin/sh", "-c"]
  args:
    - cp -a --no-clobber /opt/asr-service/models/. /models/ && exec asr-service models install
  env:
    - {name: ASR_MODELS_DIR, value: /models}
    - {name: HOME, value: /tmp}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  resources:
    requests: {cpu: 100m, memory: 256Mi}
    limits: {cpu: "1", memory: 1Gi}
  volumeMounts:
    - {name: models, mountPath: /models}
    - {name: tmp, mountPath: /tmp}
{{- end }}
{{- end -}}

{{/* One worker Deployment; called with (dict "root" $ "w" <values> "component" <name> "gpu" <bool>). */}}
{{- define "asr.workerDeployment" -}}
{{- $root := .root -}}
{{- $w := .w -}}
{{- $image := include "asr.image" $root -}}
{{- if and .gpu $w.image.repository -}}
{{- $image = printf "%s:%s" $w.image.repository (default $root.Chart.AppVersion $w.image.tag) -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "asr.fullname" $root }}-{{ .component }}
  labels:
    {{- include "asr.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    asr-service/role: worker
spec:
  {{- if not (or $w.autoscaling.hpa.enabled $w.autoscaling.keda.enabled) }}
  replicas: {{ $w.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "asr.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .component }}
  template:
    metadata:
      labels:
        {{- include "asr.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
        asr-service/role: worker
      annotations:
        checksum/config: {{ toYaml (list $root.Values.config $w.config $root.Values.models.operator) | sha256sum | trunc 16 }}
        {{- with $w.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "asr.serviceAccountName" $root }}
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "asr.podSecurityContext" $root | nindent 8 }}
      {{- with $w.runtimeClassName }}
      runtimeClassName: {{ . }}
      {{- end }}
      # Meetings are leased through JetStream: a worker stopped mid-meeting is resumed by another.
      terminationGracePeriodSeconds: {{ $w.terminationGracePeriodSeconds }}
      initContainers:
        {{- include "asr.modelsInit" $root | nindent 8 }}
      containers:
        - name: worker
          image: {{ $image | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["worker"]
          envFrom:
            {{- include "asr.envFrom" $root | nindent 12 }}
          env:
            {{- include "asr.env" $root | nindent 12 }}
            - {name: ASR_HEALTH_PORT, value: {{ $w.healthPort | quote }}}
            - {name: ASR_WORKER_MAX_MEETINGS, value: {{ $w.maxMeetings | quote }}}
            {{- range $key, $value := $w.config }}
            - {name: {{ $key }}, value: {{ $value | quote }}}
            {{- end }}
          ports:
            - {name: health, containerPort: {{ $w.healthPort }}}
          startupProbe:
            httpGet: {path: /readyz, port: health}
            periodSeconds: {{ $w.probes.startup.periodSeconds }}
            failureThreshold: {{ $w.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet: {path: /healthz, port: health}
            periodSeconds: {{ $w.probes.liveness.periodSeconds }}
            failureThreshold: {{ $w.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet: {path: /readyz, port: health}
            periodSeconds: {{ $w.probes.readiness.periodSeconds }}
            failureThreshold: {{ $w.probes.readiness.failureThreshold }}
          resources:
            {{- $res := deepCopy $w.resources }}
            {{- if .gpu }}
            {{- $_ := set $res "limits" (merge (dict "nvidia.com/gpu" (toString $w.gpus)) (default (dict) $res.limits)) }}
            {{- end }}
            {{- toYaml $res | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            {{- include "asr.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "asr.volumes" $root | nindent 8 }}
      {{- with $w.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $w.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if eq $root.Values.database.type "sqlite" }}
      # One SQLite file on a ReadWriteOnce volume: the worker runs on the API's node.
      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  {{- include "asr.selectorLabels" $root | nindent 18 }}
                  app.kubernetes.io/component: api
      {{- else }}
      {{- with $w.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- end }}
{{- end -}}
