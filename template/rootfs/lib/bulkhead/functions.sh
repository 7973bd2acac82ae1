# Shared helpers of the Bulkhead guest scripts (busybox sh).

# bulkhead_arg NAME DEFAULT: value of NAME= on the kernel command line, else DEFAULT
bulkhead_arg() {
  for word in $(cat /proc/cmdline); do
    case "$word" in "$1="*) echo "${word#*=}"; return ;; esac
  done
  echo "$2"
}

sleep_forever() {
  while :; do sleep 3600; done
}
