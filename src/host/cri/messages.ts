// The CRI runtime.v1 messages kbadm sends and reads, field for field as in runtime.v1.proto beside
// this file (test/host/cri/messages.test.ts holds the two together).
import { message } from './codec.js';

export const NamespaceMode = { POD: 0, CONTAINER: 1, NODE: 2, TARGET: 3 } as const;
export const PodSandboxState = { SANDBOX_READY: 0, SANDBOX_NOTREADY: 1 } as const;
export const ContainerState = {
  CONTAINER_CREATED: 0,
  CONTAINER_RUNNING: 1,
  CONTAINER_EXITED: 2,
  CONTAINER_UNKNOWN: 3,
} as const;

export const VersionRequest = message('VersionRequest', { version: [1, 'string'] });
export const VersionResponse = message('VersionResponse', {
  version: [1, 'string'],
  runtimeName: [2, 'string'],
  runtimeVersion: [3, 'string'],
  runtimeApiVersion: [4, 'string'],
});

export const StatusRequest = message('StatusRequest', { verbose: [1, 'bool'] });
export const RuntimeCondition = message('RuntimeCondition', {
  type: [1, 'string'],
  status: [2, 'bool'],
  reason: [3, 'string'],
  message: [4, 'string'],
});
export const RuntimeStatus = message('RuntimeStatus', { conditions: [1, RuntimeCondition, 'repeated'] });
export const StatusResponse = message('StatusResponse', { status: [1, RuntimeStatus], info: [2, 'map'] });

export const NamespaceOption = message('NamespaceOption', {
  network: [1, 'enum'],
  pid: [2, 'enum'],
  ipc: [3, 'enum'],
});
export const LinuxSandboxSecurityContext = message('LinuxSandboxSecurityContext', {
  namespaceOptions: [1, NamespaceOption],
  privileged: [6, 'bool'],
});
export const LinuxPodSandboxConfig = message('LinuxPodSandboxConfig', {
  cgroupParent: [1, 'string'],
  securityContext: [2, LinuxSandboxSecurityContext],
});
export const PodSandboxMetadata = message('PodSandboxMetadata', {
  name: [1, 'string'],
  uid: [2, 'string'],
  namespace: [3, 'string'],
  attempt: [4, 'uint32'],
});
export const PodSandboxConfig = message('PodSandboxConfig', {
  metadata: [1, PodSandboxMetadata],
  hostname: [2, 'string'],
  logDirectory: [3, 'string'],
  labels: [6, 'map'],
  annotations: [7, 'map'],
  linux: [8, LinuxPodSandboxConfig],
});
export const RunPodSandboxRequest = message('RunPodSandboxRequest', {
  config: [1, PodSandboxConfig],
  runtimeHandler: [2, 'string'],
});
export const RunPodSandboxResponse = message('RunPodSandboxResponse', { podSandboxId: [1, 'string'] });
export const StopPodSandboxRequest = message('StopPodSandboxRequest', { podSandboxId: [1, 'string'] });
export const StopPodSandboxResponse = message('StopPodSandboxResponse', {});
export const RemovePodSandboxRequest = message('RemovePodSandboxRequest', { podSandboxId: [1, 'string'] });
export const RemovePodSandboxResponse = message('RemovePodSandboxResponse', {});
export const PodSandboxStateValue = message('PodSandboxStateValue', { state: [1, 'enum'] });
export const PodSandboxFilter = message('PodSandboxFilter', {
  id: [1, 'string'],
  state: [2, PodSandboxStateValue],
  labelSelector: [3, 'map'],
});
export const ListPodSandboxRequest = message('ListPodSandboxRequest', { filter: [1, PodSandboxFilter] });
export const PodSandbox = message('PodSandbox', {
  id: [1, 'string'],
  metadata: [2, PodSandboxMetadata],
  state: [3, 'enum'],
  createdAt: [4, 'int64'],
  labels: [5, 'map'],
  annotations: [6, 'map'],
  runtimeHandler: [7, 'string'],
});
export const ListPodSandboxResponse = message('ListPodSandboxResponse', {
  items: [1, PodSandbox, 'repeated'],
});

export const ImageSpec = message('ImageSpec', { image: [1, 'string'], annotations: [2, 'map'] });
export const KeyValue = message('KeyValue', { key: [1, 'string'], value: [2, 'string'] });
export const Mount = message('Mount', {
  containerPath: [1, 'string'],
  hostPath: [2, 'string'],
  readonly: [3, 'bool'],
});
export const ContainerMetadata = message('ContainerMetadata', {
  name: [1, 'string'],
  attempt: [2, 'uint32'],
});
export const Int64Value = message('Int64Value', { value: [1, 'int64'] });
export const LinuxContainerSecurityContext = message('LinuxContainerSecurityContext', {
  privileged: [2, 'bool'],
  namespaceOptions: [3, NamespaceOption],
  runAsUser: [5, Int64Value],
  runAsGroup: [12, Int64Value],
});
export const LinuxContainerConfig = message('LinuxContainerConfig', {
  securityContext: [2, LinuxContainerSecurityContext],
});
export const ContainerConfig = message('ContainerConfig', {
  metadata: [1, ContainerMetadata],
  image: [2, ImageSpec],
  command: [3, 'string', 'repeated'],
  args: [4, 'string', 'repeated'],
  workingDir: [5, 'string'],
  envs: [6, KeyValue, 'repeated'],
  mounts: [7, Mount, 'repeated'],
  labels: [9, 'map'],
  annotations: [10, 'map'],
  logPath: [11, 'string'],
  linux: [15, LinuxContainerConfig],
});
export const CreateContainerRequest = message('CreateContainerRequest', {
  podSandboxId: [1, 'string'],
  config: [2, ContainerConfig],
  sandboxConfig: [3, PodSandboxConfig],
});
export const CreateContainerResponse = message('CreateContainerResponse', { containerId: [1, 'string'] });
export const StartContainerRequest = message('StartContainerRequest', { containerId: [1, 'string'] });
export const StartContainerResponse = message('StartContainerResponse', {});
export const StopContainerRequest = message('StopContainerRequest', {
  containerId: [1, 'string'],
  timeout: [2, 'int64'],
});
export const StopContainerResponse = message('StopContainerResponse', {});
export const RemoveContainerRequest = message('RemoveContainerRequest', { containerId: [1, 'string'] });
export const RemoveContainerResponse = message('RemoveContainerResponse', {});
export const ContainerStateValue = message('ContainerStateValue', { state: [1, 'enum'] });
export const ContainerFilter = message('ContainerFilter', {
  id: [1, 'string'],
  state: [2, ContainerStateValue],
  podSandboxId: [3, 'string'],
  labelSelector: [4, 'map'],
});
export const ListContainersRequest = message('ListContainersRequest', { filter: [1, ContainerFilter] });
export const Container = message('Container', {
  id: [1, 'string'],
  podSandboxId: [2, 'string'],
  metadata: [3, ContainerMetadata],
  image: [4, ImageSpec],
  imageRef: [5, 'string'],
  state: [6, 'enum'],
  createdAt: [7, 'int64'],
  labels: [8, 'map'],
  annotations: [9, 'map'],
});
export const ListContainersResponse = message('ListContainersResponse', {
  containers: [1, Container, 'repeated'],
});
export const ContainerStatusRequest = message('ContainerStatusRequest', {
  containerId: [1, 'string'],
  verbose: [2, 'bool'],
});
export const ContainerStatus = message('ContainerStatus', {
  id: [1, 'string'],
  metadata: [2, ContainerMetadata],
  state: [3, 'enum'],
  createdAt: [4, 'int64'],
  startedAt: [5, 'int64'],
  finishedAt: [6, 'int64'],
  exitCode: [7, 'int32'],
  image: [8, ImageSpec],
  imageRef: [9, 'string'],
  reason: [10, 'string'],
  message: [11, 'string'],
  labels: [12, 'map'],
  annotations: [13, 'map'],
  logPath: [15, 'string'],
});
export const ContainerStatusResponse = message('ContainerStatusResponse', { status: [1, ContainerStatus] });

export const ImageFilter = message('ImageFilter', { image: [1, ImageSpec] });
export const ListImagesRequest = message('ListImagesRequest', { filter: [1, ImageFilter] });
export const Image = message('Image', {
  id: [1, 'string'],
  repoTags: [2, 'string', 'repeated'],
  repoDigests: [3, 'string', 'repeated'],
  size: [4, 'uint64'],
});
export const ListImagesResponse = message('ListImagesResponse', { images: [1, Image, 'repeated'] });
export const ImageStatusRequest = message('ImageStatusRequest', {
  image: [1, ImageSpec],
  verbose: [2, 'bool'],
});
export const ImageStatusResponse = message('ImageStatusResponse', { image: [1, Image] });
export const PullImageRequest = message('PullImageRequest', { image: [1, ImageSpec] });
export const PullImageResponse = message('PullImageResponse', { imageRef: [1, 'string'] });
