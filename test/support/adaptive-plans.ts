// Data that takes each plan of the adaptive workflow (temporal/workflows/adaptive-plan.ts), and the steps
// that plan runs: test/workflows/adaptive.test.ts runs them, scripts/record-histories.ts records them.
import type { AdaptiveStep } from '../../temporal/workflows/adaptive-plan.ts';

export interface AdaptivePlanCase {
  /** The history's file name in test/histories/, and the recorded run's workflow id. */
  name: string;
  data: string;
  steps: AdaptiveStep[];
}

export const ADAPTIVE_PLANS: AdaptivePlanCase[] = [
  { name: 'adaptive-greeting', data: 'Hello there, welcome aboard', steps: ['validate', 'enrich'] },
  { name: 'adaptive-order', data: 'Order 42: two blue mugs', steps: ['validate', 'enrich', 'process-internal', 'process-external'] },
  {
    name: 'adaptive-incident',
    data: 'Checkout is down again: the payment page is broken',
    steps: ['validate', 'enrich', 'process-internal', 'third-party'],
  },
  { name: 'adaptive-question', data: 'Is item 7 ready for pickup?', steps: ['validate', 'enrich', 'third-party'] },
  { name: 'adaptive-general', data: 'Fresh news about the spring catalogue', steps: ['validate', 'enrich', 'process-internal'] },
  {
    name: 'adaptive-digest',
    data: 'Order for the office: please ship two blue mugs, one teapot and a kettle to the new office, and send the invoice for this order to accounting by Friday',
    steps: ['validate', 'enrich', 'process-internal', 'process-external', 'digest'],
  },
];
