// How kubeadm uses the container runtime, on top of the ContainerRuntime port: is it running, pull
// with retries (honouring the pull policy and imagePullSerial), stop and remove every sandbox on
// reset. The error texts are kubeadm's, since people and scripts match on them.
import { errorMessage, KbadmError } from '../errors.js';
import type { Logger } from '../output/logger.js';
import type { ContainerRuntime } from './runtime.js';

/** kubeadm's PullImageRetry: attempts per image before a pull fails. */
export const PULL_IMAGE_RETRIES = 5;
/** kubeadm's RemoveContainerRetry: attempts to stop and remove one sandbox on reset. */
export const REMOVE_CONTAINER_RETRIES = 5;

type DebugLog = Pick<Logger, 'debug' | 'warn'>;
const quiet: DebugLog = { debug: () => {}, warn: () => {} };

/** Resolves when the runtime answers Status with RuntimeReady true (NetworkReady is not required). */
export async function checkRuntimeRunning(runtime: ContainerRuntime): Promise<void> {
  let conditions;
  try {
    conditions = await runtime.status();
  } catch (err) {
    throw new KbadmError(`container runtime is not running: ${errorMessage(err)}`, { cause: err });
  }
  const notReady = conditions.find((c) => c.type === 'RuntimeReady' && !c.status);
  if (notReady) {
    throw new KbadmError(
      `container runtime condition "RuntimeReady" is not true. reason: ${notReady.reason}, message: ${notReady.message}`,
    );
  }
}

/** Pulls one image, trying PULL_IMAGE_RETRIES times; the error carries the last attempt's. */
export async function pullImageWithRetries(runtime: ContainerRuntime, image: string): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < PULL_IMAGE_RETRIES; attempt++) {
    try {
      await runtime.pullImage(image);
      return;
    } catch (err) {
      last = err;
    }
  }
  throw new KbadmError(`failed to pull image ${image}: ${errorMessage(last)}`, { cause: last });
}

/** Whether the runtime holds the image; a failed ImageStatus counts as "no", with a warning. */
async function imageExists(runtime: ContainerRuntime, image: string, log: DebugLog): Promise<boolean> {
  try {
    return await runtime.imageExists(image);
  } catch (err) {
    log.warn(`Failed to get image status, image: ${JSON.stringify(image)}, error: ${errorMessage(err)}`);
    return false;
  }
}

/** Several errors as one, the way Kubernetes aggregates them: `[a, b]`, or just `a`. */
export function aggregateError(errors: readonly Error[]): KbadmError {
  const text = errors.length === 1 ? errors[0]!.message : `[${errors.map((e) => e.message).join(', ')}]`;
  return new KbadmError(text, { cause: errors[0] });
}

export interface PullImagesOptions {
  /** nodeRegistration.imagePullPolicy: Always, IfNotPresent or Never. */
  policy: string;
  /** nodeRegistration.imagePullSerial: one image at a time (true) or all at once. */
  serial: boolean;
  log?: DebugLog;
}

/**
 * Pre-pulls images as kubeadm's preflight does. Resolves to the errors, one per failed image when
 * serial, one aggregate when parallel (an empty list when everything is in place).
 */
export async function pullImages(
  runtime: ContainerRuntime,
  images: readonly string[],
  options: PullImagesOptions,
): Promise<KbadmError[]> {
  const log = options.log ?? quiet;
  const { policy } = options;
  if (policy === 'Never') {
    log.debug(`skipping the pull of all images due to policy: ${policy}`);
    return [];
  }
  if (policy !== 'Always' && policy !== 'IfNotPresent') {
    return [new KbadmError(`unsupported pull policy ${JSON.stringify(policy)}`)];
  }
  log.debug(`using image pull policy: ${policy}`);

  const pullOne = async (image: string): Promise<KbadmError | undefined> => {
    if (policy === 'IfNotPresent' && (await imageExists(runtime, image, log))) {
      log.debug(`image exists: ${image}`);
      return undefined;
    }
    log.debug(`pulling: ${image}`);
    try {
      await pullImageWithRetries(runtime, image);
    } catch (err) {
      return new KbadmError(`failed to pull image ${image}: ${errorMessage(err)}`, { cause: err });
    }
    log.debug(`done pulling: ${image}`);
    return undefined;
  };

  if (!options.serial) {
    log.debug('pulling all images in parallel');
    const errors = (await Promise.all(images.map(pullOne))).filter((e) => e !== undefined);
    return errors.length === 0 ? [] : [aggregateError(errors)];
  }
  const errors: KbadmError[] = [];
  for (const image of images) {
    const err = await pullOne(image);
    if (err) errors.push(err);
  }
  return errors;
}

/**
 * Stops and removes each sandbox, trying each REMOVE_CONTAINER_RETRIES times and carrying on with
 * the others when one fails. Resolves to one error per sandbox that could not be removed.
 */
export async function removePodSandboxes(
  runtime: ContainerRuntime,
  ids: readonly string[],
  log: DebugLog = quiet,
): Promise<KbadmError[]> {
  const errors: KbadmError[] = [];
  for (const id of ids) {
    let last: KbadmError | undefined;
    for (let attempt = 0; attempt < REMOVE_CONTAINER_RETRIES; attempt++) {
      log.debug(`Attempting to remove container ${id}`);
      try {
        await runtime.stopPodSandbox(id);
      } catch (err) {
        last = new KbadmError(`failed to stop running pod ${id}: ${errorMessage(err)}`, { cause: err });
        continue;
      }
      try {
        await runtime.removePodSandbox(id);
      } catch (err) {
        last = new KbadmError(`failed to remove pod ${id}: ${errorMessage(err)}`, { cause: err });
        continue;
      }
      last = undefined;
      break;
    }
    if (last) errors.push(last);
  }
  return errors;
}
