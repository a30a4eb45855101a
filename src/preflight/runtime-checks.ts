// The container runtime checks: CRI (the runtime answers and says it is ready) and ImagePull
// (every image init needs is present or pulled, by the pull policy, one at a time or in parallel).
import type { ContainerRuntime, RuntimeCondition } from '../host/runtime.js';
import { errorMessage, findings, NO_FINDINGS, type Check, type Findings } from './check.js';

/** kubeadm tries each image pull this many times before it gives up. */
export const PULL_IMAGE_RETRIES = 5;

/** The runtime's status, or why it could not be had. NetworkReady is not judged: no CNI is set up yet. */
export function judgeRuntime(status: { conditions: RuntimeCondition[] } | { error: string }): Findings {
  if ('error' in status) return findings({ errors: [`container runtime is not running: ${status.error}`] });
  const notReady = status.conditions.find((c) => c.type === 'RuntimeReady' && !c.status);
  if (!notReady) return NO_FINDINGS;
  return findings({
    errors: [
      `container runtime condition "RuntimeReady" is not true. reason: ${notReady.reason}, message: ${notReady.message}`,
    ],
  });
}

export function criCheck(): Check {
  return {
    name: 'CRI',
    async run(p) {
      try {
        const runtime = await p.runtime();
        return judgeRuntime({ conditions: await runtime.status() });
      } catch (err) {
        return judgeRuntime({ error: errorMessage(err) });
      }
    },
  };
}

export interface PullPlan {
  images: readonly string[];
  /** Always, IfNotPresent (also when '') or Never. */
  policy: string;
  /** One image at a time (kubeadm's default), else all at once. */
  serial: boolean;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

/** Brings one image onto the node; the error text when that failed. */
async function ensureImage(
  runtime: ContainerRuntime,
  image: string,
  policy: string,
  log: Log,
): Promise<string | undefined> {
  if (policy !== 'Always') {
    try {
      if (await runtime.imageExists(image)) {
        log('image exists', { image });
        return undefined;
      }
    } catch (err) {
      return `failed to check if image ${image} exists: ${errorMessage(err)}`;
    }
  }
  log('pulling image', { image });
  let last: unknown;
  for (let attempt = 1; attempt <= PULL_IMAGE_RETRIES; attempt++) {
    try {
      await runtime.pullImage(image);
      log('pulled image', { image });
      return undefined;
    } catch (err) {
      last = err;
      log('image pull failed', { image, attempt, error: errorMessage(err) });
    }
  }
  return `failed to pull image ${image}: ${errorMessage(last)}`;
}

/** Every image of the plan; the errors come back in the plan's order, also when pulled in parallel. */
export async function pullImages(runtime: ContainerRuntime, plan: PullPlan, log: Log): Promise<string[]> {
  const policy = plan.policy === '' ? 'IfNotPresent' : plan.policy;
  log('image pull policy', { policy, serial: plan.serial });
  if (policy === 'Never') return [];
  if (policy !== 'Always' && policy !== 'IfNotPresent') return [`unsupported pull policy "${plan.policy}"`];
  const results: (string | undefined)[] = [];
  if (plan.serial) {
    for (const image of plan.images) results.push(await ensureImage(runtime, image, policy, log));
  } else {
    results.push(...(await Promise.all(plan.images.map((i) => ensureImage(runtime, i, policy, log)))));
  }
  return results.filter((e): e is string => e !== undefined);
}

export function imagePullCheck(plan: PullPlan): Check {
  return {
    name: 'ImagePull',
    async run(p) {
      if (plan.policy === 'Never') return findings({ skipped: 'the image pull policy is Never' });
      let runtime: ContainerRuntime;
      try {
        runtime = await p.runtime();
      } catch (err) {
        return findings({ errors: [`no image was pulled: ${errorMessage(err)}`] });
      }
      return findings({ errors: await pullImages(runtime, plan, p.log) });
    },
  };
}
