// The console (index.html). Element Plus components are imported where used (the resolver), so the
// bundle carries only what the screens use; each route is its own chunk.
import vue from "@vitejs/plugin-vue";
import Components from "unplugin-vue-components/vite";
import { ElementPlusResolver } from "unplugin-vue-components/resolvers";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver()], dts: false })],
  server: { proxy: { "/v1": "http://127.0.0.1:8000", "/local": "http://127.0.0.1:8000" } },
  // dist/.vite/manifest.json: which chunks each route loads (tests/test_web_bundle.py weighs the first load)
  build: { manifest: true },
});
