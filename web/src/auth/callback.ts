// The identity provider's way back, for the console and the field app alike: the code becomes tokens,
// then the screen the user was going to; a failure is kept as a problem for the page to show.
import { onMounted, ref } from "vue";
import { useRouter } from "vue-router";
import { config } from "../config";
import { asProblem, type Problem } from "../problem";
import { useToken } from "../session";

export function useSignInCallback() {
  const router = useRouter();
  const problem = ref<Problem | null>(null);
  onMounted(async () => {
    const auth = config().auth;
    if (auth.mode === "local") return router.replace("/sign-in");
    try {
      const { completeSignIn } = await import("./oidc");
      await router.replace(await completeSignIn(auth, useToken));
    } catch (thrown) {
      problem.value = asProblem(thrown);
    }
  });
  return { problem };
}
