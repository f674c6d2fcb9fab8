// No shutdown handling at all: the overhead baseline.
import { createAppServer, listen } from './app.mjs';

await listen(createAppServer());
