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
