// Tiny test app for scripts/cluster: GET / -> 200 "ok", GET /healthz -> 200.
import http from 'node:http';

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-pod-name': process.env.HOSTNAME || '' });
    res.end('ok');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
});

function shutdown(sig) {
  console.log(`${new Date().toISOString()} got ${sig}, closing`);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(port, () => console.log(`${new Date().toISOString()} listening on ${port}`));
