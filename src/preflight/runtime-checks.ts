// The container runtime checks: CRI (the runtime answers and says it is ready) and ImagePull
// (every image init needs is present or pulled). Pulling itself, with kubeadm's retries, pull
// policy and imagePullSerial, is runtime-ops' job; these checks turn its results into findings.
import type { ContainerRuntime } from '../host/runtime.js';
import { checkRuntimeRunning, pullImages } from '../host/runtime-ops.js';
import { errorMessage, findings, type Check } from './check.js';

export function criCheck(): Check {
  return {
    name: 'CRI',
    async run(p) {
      let runtime: ContainerRuntime;
      try {
        runtime = await p.runtime();
      } catch (err) {
        return findings({ errors: [`container runtime is not running: ${errorMessage(err)}`] });
      }
      try {
        await checkRuntimeRunning(runtime);
        return findings({});
      } catch (err) {
        return findings({ errors: [errorMessage(err)] });
      }
    },
  };
}

export interface PullPlan {
  images: readonly string[];
  /** The pause image kubeadm would use; a runtime configured with another one gets a warning. */
  sandboxImage: string;
  /** Always, IfNotPresent or Never. */
  policy: string;
  /** One image at a time (kubeadm's default), else all at once. */
  serial: boolean;
}

/** kubeadm's warning when the runtime would start sandboxes from another pause image. */
export function sandboxImageWarnings(runtimeImage: string | undefined, expected: string): string[] {
  if (runtimeImage === undefined || runtimeImage === '' || runtimeImage === expected) return [];
  return [
    `detected that the sandbox image "${runtimeImage}" of the container runtime is inconsistent with that used by kubeadm. It is recommended to use "${expected}" as the CRI sandbox image.`,
  ];
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
      let warnings: string[] = [];
      try {
        warnings = sandboxImageWarnings(await runtime.sandboxImage(), plan.sandboxImage);
      } catch (err) {
        p.log.debug('the runtime did not say which sandbox image it uses', { error: errorMessage(err) });
      }
      const errors = await pullImages(runtime, plan.images, {
        policy: plan.policy,
        serial: plan.serial,
        log: p.log,
      });
      return findings({ warnings, errors: errors.map((e) => e.message) });
    },
  };
}
