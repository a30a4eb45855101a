// Flags kubeadm's -o printing inherits from kubectl; kbadm accepts them so scripts keep working.
import type { FlagSpec } from '../workflow/index.js';

export const PRINT_COMPAT_FLAGS: FlagSpec[] = [
  {
    name: 'allow-missing-template-keys',
    type: 'boolean',
    default: true,
    description:
      'Accepted for compatibility with kubeadm scripts; kbadm has no template output, so it changes nothing.',
  },
  {
    name: 'show-managed-fields',
    type: 'boolean',
    description: 'Accepted for compatibility with kubeadm scripts; what kbadm prints has no managedFields.',
  },
];
