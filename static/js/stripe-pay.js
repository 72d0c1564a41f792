// Production card payment: Stripe.js collects the card in its own frame and gives back a PaymentMethod id,
// which the form posts; the server then creates and confirms the PaymentIntent. Card numbers never reach us.
(function () {
  const form = document.getElementById("card-payment");
  if (!form || !window.Stripe) return;
  const stripe = window.Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount("#card-element");
  const errors = document.getElementById("card-errors");
  form.addEventListener("submit", async (event) => {
    if (form.elements.payment_method.value) return;
    event.preventDefault();
    const { paymentMethod, error } = await stripe.createPaymentMethod({ type: "card", card });
    if (error) {
      errors.textContent = error.message;
      return;
    }
    form.elements.payment_method.value = paymentMethod.id;
    form.submit();
  });
})();

// 3-D Secure: the intent waits for the buyer's bank. Stripe.js shows the bank's page; whatever came of it, the
// "check again" form is then posted, so the server reads the intent again and the order page shows the outcome
// (the webhook and `payments reconcile` settle it too, if the browser never gets back).
(function () {
  const holder = document.getElementById("card-authentication");
  const check = document.getElementById("payment-check");
  if (!holder || !check || !window.Stripe) return;
  const stripe = window.Stripe(holder.dataset.publishableKey);
  const errors = document.getElementById("card-errors");
  stripe.handleNextAction({ clientSecret: holder.dataset.clientSecret }).then((result) => {
    if (result.error && errors) errors.textContent = result.error.message;
    check.submit();
  });
})();
