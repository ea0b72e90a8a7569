import { dropTemplate, prepareTemplate } from './db';

export async function setup(): Promise<void> {
  await prepareTemplate();
}

export async function teardown(): Promise<void> {
  await dropTemplate();
}
