// All 18 dataset tasks of the paper (reference section 1): 8 GLUE + 10 vision-and-language (MSCOCO counted twice,
// as its 5-fold 1K and 5K evaluations of one training).
import { GLUE_TASKS } from './glue-tasks.js';
import { VL_TASKS } from './vl-tasks.js';
import type { TaskDef } from './types.js';

export const TASKS: TaskDef[] = [...GLUE_TASKS, ...VL_TASKS];
