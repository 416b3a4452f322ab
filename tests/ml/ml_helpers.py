"""Helpers shared by the ml tests: float64 conversion and finite-difference checks."""
import numpy


def to_float64(model):
    """Convert every parameter of an initialized model to float64 (for gradient checks)."""
    for node in model.walk():
        for name in node.param_names:
            if node.has_param(name):
                node.set_param(name, node.get_param(name).astype(numpy.float64))
    return model


def all_grads(model):
    return {
        (node.id, name): node.get_grad(name).copy()
        for node in model.walk()
        for name in node.param_names
        if node.has_grad(name)
    }


def check_param_grads(model, loss_and_grad, loss_only, n_entries=6, eps=1e-6, rtol=1e-4, atol=1e-7, seed=0):
    """Compare the analytic gradient (loss_and_grad runs a backward pass) with central
    differences of loss_only(), for a few entries of every parameter."""
    loss_and_grad()
    grads = all_grads(model)
    rng = numpy.random.RandomState(seed)
    checked = 0
    for node in model.walk():
        for name in node.param_names:
            if not node.has_param(name):
                continue
            param = node.get_param(name)
            grad = grads.get((node.id, name))
            assert grad is not None, f"no gradient for {node.name}.{name}"
            flat = param.reshape(-1)
            # check the largest-gradient entries (those the batch touches) and a few random ones
            idx = list(numpy.argsort(-numpy.abs(grad.reshape(-1)))[:n_entries])
            idx += list(rng.randint(0, flat.size, size=2))
            for i in idx:
                old = flat[i]
                flat[i] = old + eps
                up = loss_only()
                flat[i] = old - eps
                down = loss_only()
                flat[i] = old
                numeric = (up - down) / (2 * eps)
                analytic = grad.reshape(-1)[i]
                assert numpy.isclose(analytic, numeric, rtol=rtol, atol=atol), (
                    f"{node.name}.{name}[{i}]: analytic {analytic}, numeric {numeric}"
                )
                checked += 1
    return checked
