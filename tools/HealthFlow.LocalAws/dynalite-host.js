// Runs dynalite for HealthFlow.LocalAws and ties its life to LocalAws: it exits when its stdin closes
// (the parent ended, however abruptly) or when the parent process is gone.
// Usage: node dynalite-host.js <dynalite module dir> [--path <LevelDB dir>] [--table-ms <ms>]
'use strict'

const dynaliteDir = process.argv[2]
const pathIndex = process.argv.indexOf('--path')
const tableMsIndex = process.argv.indexOf('--table-ms')
// By default tables become ACTIVE almost at once (local provisioning should not wait half a second per table), but
// still not within CreateTable's answer: a caller must wait for ACTIVE, as on AWS. --table-ms widens that window.
const tableMs = tableMsIndex > 0 ? Number(process.argv[tableMsIndex + 1]) : 0
const options = {
  createTableMs: tableMs,
  deleteTableMs: tableMs,
  updateTableMs: tableMs,
}
if (pathIndex > 0) options.path = process.argv[pathIndex + 1]

const server = require(dynaliteDir)(options)
server.listen(0, '127.0.0.1', () => {
  // LocalAws reads this line to learn the port.
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})

// Close dynalite (and its LevelDB) before exiting, so writes it has acknowledged are on disk when a
// data directory is set; a hung close still ends within LocalAws's 3 s grace period.
let exiting = false
const exit = () => {
  if (exiting) return
  exiting = true
  setTimeout(() => process.exit(0), 2500).unref()
  server.close(() => process.exit(0))
}
process.stdin.on('end', exit)
process.stdin.on('close', exit)
process.stdin.on('error', exit)
process.stdin.resume()

const parent = process.ppid
setInterval(() => {
  try {
    process.kill(parent, 0)
  } catch {
    exit()
  }
}, 2000).unref()
