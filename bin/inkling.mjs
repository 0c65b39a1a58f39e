#!/usr/bin/env node
// The `inkling` command. TypeScript sources run directly through tsx, so `npx inkling …` works right
// after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/main.ts');
