#!/bin/bash
# Asking for CUDA on a machine without it: the daemon's one warning line and the retained status (provider, plan, note).
set -u
W=$(cd "$(dirname "$0")/../.." && pwd)
D=$W/src/EdgeRuntime.Worker/bin/Release/net10.0/edge-runtime.dll
E=$W/src/EdgeRuntime.Fleet/bin/Release/net10.0/edgectl
T=$(mktemp -d /tmp/edge-plan-fallback-XXXX); chmod 777 $T
PORT=$((20000 + RANDOM % 20000))
mosquitto -p $PORT > $T/mosquitto.log 2>&1 & MQ=$!
$E keys create --out $T/fleet > /dev/null
env EDGE_DeviceId=plan-cuda EDGE_StateDirectory=$T/state EDGE_Mqtt__Server=127.0.0.1:$PORT EDGE_Delivery__TrustedKeys__0=$T/fleet.pub \
    EDGE_Pipelines__0__Enabled=false EDGE_Serving__Provider=cuda EDGE_Serving__PlanBudgetSeconds=15 \
    EDGE_Logging__Console__FormatterName=simple EDGE_Logging__Console__FormatterOptions__SingleLine=true \
    dotnet $D > $T/daemon.log 2>&1 & PID=$!
for i in $(seq 1 300); do grep -qi "connected" $T/daemon.log && break; sleep 0.2; done
$E model publish $W/../shared/models/ultraface-rfb-320/version-RFB-320.onnx --name face --version 1 --signing-key $T/fleet.key --broker 127.0.0.1:$PORT > $T/publish.log 2>&1 || cat $T/publish.log
for i in $(seq 1 1000); do grep -q "after activation began" $T/daemon.log && break; sleep 0.2; done
sleep 1
mosquitto_sub -p $PORT -t 'edge/devices/plan-cuda/status' -C 1 -W 5 > $T/status.json
kill -TERM $PID; wait $PID; kill $MQ
echo "folder $T"
grep -E "warn|Execution provider|after activation began" $T/daemon.log | cut -c1-400
python3 -c "
import json; s=json.load(open('$T/status.json'))
print('status.plans:', json.dumps(s.get('plans')))
d=s.get('device') or {}
print('status.device:', json.dumps({k: d.get(k) for k in ('fingerprint','cpuModel','instructionSets','cores','providers')}))"
