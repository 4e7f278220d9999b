#!/bin/bash
# Second-start measurement: the real daemon (Release), Mosquitto on loopback, edgectl publish; start, serve, stop, start again.
# usage: plan-restart.sh NAME MODEL.onnx
set -u
NAME=$1; MODEL=$2
W=$(cd "$(dirname "$0")/../.." && pwd)
D=$W/src/EdgeRuntime.Worker/bin/Release/net10.0/edge-runtime.dll
E=$W/src/EdgeRuntime.Fleet/bin/Release/net10.0/edgectl
T=$(mktemp -d /tmp/edge-plan-restart-$NAME-XXXX); chmod 777 $T
PORT=$((20000 + RANDOM % 20000))
mosquitto -p $PORT > $T/mosquitto.log 2>&1 & MQ=$!
$E keys create --out $T/fleet > /dev/null
wait_for() { local file=$1 pattern=$2 limit=$3 s=0; while ! grep -q "$pattern" $file 2>/dev/null; do sleep 0.2; s=$((s+1)); if [ $s -gt $((limit*5)) ]; then echo "timeout waiting for '$pattern' in $file"; return 1; fi; done; }
start() {
  date +%s.%N > $T/$1.started
  env EDGE_DeviceId=plan-bench EDGE_StateDirectory=$T/state EDGE_Mqtt__Server=127.0.0.1:$PORT EDGE_Delivery__TrustedKeys__0=$T/fleet.pub \
      EDGE_Pipelines__0__Enabled=false EDGE_Logging__Console__FormatterName=simple EDGE_Logging__Console__FormatterOptions__SingleLine=true \
      EDGE_Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " \
      dotnet $D > $T/$1.log 2>&1 &
  echo $! > $T/$1.pid
}
stop() { kill -TERM $(cat $T/$1.pid); wait $(cat $T/$1.pid) 2>/dev/null; }
start first
wait_for $T/first.log "Connected\|connected" 60
$E model publish $MODEL --name $NAME --version 1 --signing-key $T/fleet.key --broker 127.0.0.1:$PORT > $T/publish.log 2>&1 || cat $T/publish.log
wait_for $T/first.log "after activation began" 400 && sleep 1
date +%s.%N > $T/first.served
stop first
start second
wait_for $T/second.log "after activation began" 200
date +%s.%N > $T/second.served
sleep 1
stop second
kill $MQ
echo "folder $T"
for run in first second; do
  echo "--- $run start"
  grep -E "Device |Execution provider|plan cache|plan Cpu|plan Cuda|previous plan|after activation began" $T/$run.log | cut -c1-400
  echo "process start to serving seen by the script: $(echo "$(cat $T/$run.served) - $(cat $T/$run.started)" | bc) s (includes up to 0.2 s polling$( [ $run = first ] && echo ', the publish and the transfer'))"
done
