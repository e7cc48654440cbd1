import { setup } from "../env/setup";
import { runMain } from "./runMain";

runMain(() => {
  setup();
});
