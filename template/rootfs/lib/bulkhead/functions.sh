# Shared helpers of the Bulkhead guest scripts (busybox sh).

# The kernel command line, read once per script: every `cat` is a fork+exec, which costs under TCG.
read -r BULKHEAD_CMDLINE </proc/cmdline

# bulkhead_arg NAME DEFAULT: value of NAME= on the kernel command line, else DEFAULT
bulkhead_arg() {
  for word in $BULKHEAD_CMDLINE; do
    case "$word" in "$1="*) echo "${word#*=}"; return ;; esac
  done
  echo "$2"
}

sleep_forever() {
  while :; do sleep 3600; done
}
