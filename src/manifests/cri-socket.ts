// Without NodeLocalCRISocket kubeadm records a node's CRI socket as an annotation on its Node, so
// that later commands (upgrade, reset) can find the runtime of a node they did not set up.

export const CRI_SOCKET_ANNOTATION = 'kubeadm.alpha.kubernetes.io/cri-socket';

/** The merge patch that sets the annotation; empty when the Node already carries that socket. */
export function criSocketAnnotationPatch(
  live: { metadata: { annotations?: Record<string, string> } },
  criSocket: string,
): Record<string, unknown> {
  return live.metadata.annotations?.[CRI_SOCKET_ANNOTATION] === criSocket
    ? {}
    : { metadata: { annotations: { [CRI_SOCKET_ANNOTATION]: criSocket } } };
}
