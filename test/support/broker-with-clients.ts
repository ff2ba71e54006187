/**
 * One broker for a whole test file, with a kafkajs admin and producer and a RawKafka connection to
 * it: started in `beforeAll`, and closed — the log directory removed — in `afterAll`.
 */
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { removeDir, startBroker, type TestBroker, type TestBrokerOptions } from './broker.js';
import { kafkaClient, kafkaProducer } from './kafkajs.js';
import { RawKafka } from './raw-kafka.js';

export interface BrokerWithClients {
  broker: TestBroker;
  admin: Admin;
  producer: Producer;
  raw: RawKafka;
}

/** Registers the hooks in the calling scope; the fields are set once `beforeAll` has run. */
export function useBrokerWithClients(overrides: Record<string, string> = {}, opts: TestBrokerOptions = {}): BrokerWithClients {
  const env = {} as BrokerWithClients;

  beforeAll(async () => {
    env.broker = await startBroker(overrides, opts);
    const kafka = kafkaClient(env.broker.bootstrap);
    env.admin = kafka.admin();
    env.producer = kafkaProducer(kafka);
    await Promise.all([env.admin.connect(), env.producer.connect()]);
    env.raw = await RawKafka.connect(env.broker.bootstrap);
  });

  afterAll(async () => {
    env.raw?.close();
    await env.producer?.disconnect();
    await env.admin?.disconnect();
    await env.broker?.stop();
    if (env.broker) removeDir(env.broker.logDir);
  });

  return env;
}
