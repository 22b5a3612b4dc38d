#!/usr/bin/env node
import './require-node-24.ts';
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2), process.env);
