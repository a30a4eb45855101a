// Name resolution as a node's own files describe it: /etc/hosts entries and the nameservers of
// /etc/resolv.conf. Used under another --rootfs, where the running machine's resolver would answer
// for the wrong system (kubeadm's chroot reads these files from the root too). Pure parsers.

/** The addresses /etc/hosts gives `name`, in file order (names match case-insensitively). */
export function hostsFileAddresses(text: string, name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const [address, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (address && names.some((n) => n.toLowerCase() === wanted)) out.push(address);
  }
  return out;
}

/** The `nameserver` addresses of a resolv.conf, in order. */
export function resolvConfNameservers(text: string): string[] {
  return text
    .split('\n')
    .map((l) =>
      l
        .replace(/[#;].*/, '')
        .trim()
        .split(/\s+/),
    )
    .filter((f) => f[0] === 'nameserver' && f[1])
    .map((f) => f[1]!);
}
