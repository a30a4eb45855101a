// The preflight errors a full `kbadm init` under a fresh temporary --rootfs cannot avoid, chosen
// check by check. Tests that run init there for its files pass IGNORE_IN_TEMP_ROOT; everything
// else stays fatal, above all FileAvailable-* and DirAvailable-*, so a test that runs init twice
// on one root still sees the refusal.
export const TEMP_ROOT_IGNORES = [
  // The tests may run as an ordinary user.
  'IsPrivilegedUser',
  // The size of the test machine.
  'NumCPU',
  'Mem',
  // Machine-wide ports: other processes on a shared test machine may hold them.
  'Port-6443',
  'Port-10259',
  'Port-10257',
  'Port-10250',
  'Port-2379',
  'Port-2380',
  // No container runtime socket under the temporary root, so nothing to ask and nothing pulled.
  'CRI',
  'ImagePull',
  // An empty root: no executables, no kubelet, no /proc or /sys below it.
  'FileExisting-ip',
  'FileExisting-iptables',
  'FileExisting-mount',
  'FileExisting-nsenter',
  'KubeletVersion',
  'SystemVerification',
  'FileContent--proc-sys-net-ipv4-ip_forward',
];

export const IGNORE_IN_TEMP_ROOT = ['--ignore-preflight-errors', TEMP_ROOT_IGNORES.join(',')];

/**
 * No kubelet runs under a temporary root, so a full init there would wait for a control plane that
 * never comes: tests that run it for its files skip that phase.
 */
export const SKIP_WAIT = ['--skip-phases', 'wait-control-plane'];
