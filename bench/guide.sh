#!/usr/bin/env bash
# The peer of `meshctl apply` for the guide's topology: Istio's "Install Primary-Remote on
# different networks" command sequence, run as a script — istioctl install of the guide's IOPs,
# the east-west gateways, expose-istiod/expose-services, create-remote-secret | kubectl apply.
# The east-west IOPs and samples are the committed golden copies (test/unit/model/golden/), the
# CA files the ones meshctl generated (the guide's "plug in certificates" step).
# Env: KUBECONFIG, KUBECTL, ISTIOCTL, TRUST (dir with cluster1/, cluster2/), GOLDEN, WORK.
set -euo pipefail
k() { local ctx=$1; shift; "$KUBECTL" --kubeconfig "$KUBECONFIG" --context="$ctx" "$@"; }
i() { local ctx=$1; shift; "$ISTIOCTL" --kubeconfig "$KUBECONFIG" --context="$ctx" "$@"; }
gateway_ip() { # the guide: "wait for the east-west gateway to be assigned an external IP address"
  local ip=""
  for _ in $(seq 600); do
    ip=$(k "$1" -n istio-system get svc istio-eastwestgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
    [ -n "$ip" ] && { echo "$ip"; return 0; }
    sleep 0.3
  done
  echo "no external IP on $1's east-west gateway" >&2; return 1
}
cd "$WORK"

# Before you begin: plug in the CA certificates.
for c in cluster1 cluster2; do
  k $c create namespace istio-system
  k $c create secret generic cacerts -n istio-system \
    --from-file="$TRUST/$c/ca-cert.pem" --from-file="$TRUST/$c/ca-key.pem" \
    --from-file="$TRUST/$c/root-cert.pem" --from-file="$TRUST/$c/cert-chain.pem"
done

# Configure cluster1 as a primary.
k cluster1 label namespace istio-system topology.istio.io/network=network1
cat > cluster1.yaml <<YAML
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  values:
    global:
      meshID: mesh1
      multiCluster:
        clusterName: cluster1
      network: network1
YAML
i cluster1 install --set values.pilot.env.EXTERNAL_ISTIOD=true -f cluster1.yaml -y
# Install the east-west gateway in cluster1; expose the control plane and services.
i cluster1 install -y -f "$GOLDEN/eastwest-network1.yaml"
gateway_ip cluster1 >/dev/null
k cluster1 apply -n istio-system -f "$GOLDEN/expose-istiod.yaml"
k cluster1 apply -n istio-system -f "$GOLDEN/expose-services.yaml"

# Set the control plane cluster for cluster2; configure cluster2 as a remote.
k cluster2 annotate namespace istio-system topology.istio.io/controlPlaneClusters=cluster1
k cluster2 label namespace istio-system topology.istio.io/network=network2
DISCOVERY_ADDRESS=$(k cluster1 -n istio-system get svc istio-eastwestgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
cat > cluster2.yaml <<YAML
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: remote
  values:
    istiodRemote:
      injectionPath: /inject/cluster/cluster2/net/network2
    global:
      remotePilotAddress: ${DISCOVERY_ADDRESS}
YAML
i cluster2 install -f cluster2.yaml -y

# Attach cluster2 as a remote of cluster1.
i cluster2 create-remote-secret --name=cluster2 | k cluster1 apply -f -

# Install the east-west gateway in cluster2; expose services.
i cluster2 install -y -f "$GOLDEN/eastwest-network2.yaml"
gateway_ip cluster2 >/dev/null
k cluster2 apply -n istio-system -f "$GOLDEN/expose-services.yaml"
