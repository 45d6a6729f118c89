// The list of subcommands. Each lives in its own file named after the command.
import type { Command } from './command.js';
import { validateCommand } from './validate.js';

export const commands: readonly Command[] = [validateCommand];
