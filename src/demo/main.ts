#!/usr/bin/env node
// `npm start`: runs the demo once (or until Ctrl-C with --follow) and exits with its outcome.
import { runDemo } from './run-demo.js'

const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())

runDemo({ follow: process.argv.includes('--follow'), signal: controller.signal }).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
