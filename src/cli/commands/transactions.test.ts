import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { LIST_HEADERS, prettyPrintTable, runTransactions } from './transactions.js';

describe('skein transactions', () => {
  it("prints kafka-transactions.sh's table: each cell padded to its column, then a tab", () => {
    expect(prettyPrintTable(LIST_HEADERS, [['a-long-transactional-id', '1', '3000', 'Ongoing']])).toEqual([
      'TransactionalId        \tCoordinator\tProducerId\tTransactionState\t',
      'a-long-transactional-id\t1          \t3000      \tOngoing         \t',
    ]);
    expect(prettyPrintTable(['A', 'B'], [])).toEqual(['A\tB\t']);
  });

  it('refuses option mistakes before connecting', async () => {
    const server = { bootstrapServer: '127.0.0.1:1' };
    await expect(runTransactions(server)).rejects.toThrow(new CliError('Command must include exactly one action: --list, --describe'));
    await expect(runTransactions({ ...server, list: true, describe: true })).rejects.toThrow(/exactly one action/);
    await expect(runTransactions({ ...server, describe: true })).rejects.toThrow('Option --describe requires --transactional-id');
    await expect(runTransactions({ ...server, list: true, transactionalId: 'x' })).rejects.toThrow(/can't be used with --list/);
  });
});
