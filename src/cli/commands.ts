// The list of subcommands. Each lives in its own file named after the command.
import type { Command } from './command.js';
import { applyCommand } from './apply.js';
import { destroyCommand } from './destroy.js';
import { forceUnlockCommand } from './force-unlock.js';
import { planCommand } from './plan.js';
import { showCommand } from './show.js';
import { stateCommand } from './state.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [validateCommand, planCommand, showCommand, applyCommand, verifyCommand, destroyCommand, forceUnlockCommand, stateCommand];
