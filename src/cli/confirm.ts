// The approval prompt: only "yes" proceeds (Terraform's rule). Without a terminal to ask,
// apply refuses rather than guess; --auto-approve is the explicit way to skip the question.
import { createInterface } from 'node:readline/promises';
import type { CliIO } from './io.js';

export async function confirm(io: CliIO, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) return false;
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
